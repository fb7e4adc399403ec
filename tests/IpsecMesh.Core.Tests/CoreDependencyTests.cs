using ArchUnitNET.Fluent;
using ArchUnitNET.Fluent.Slices;
using ArchUnitNET.Loader;
using IpsecMesh.Core.Model;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace IpsecMesh.Core.Tests;

/// <summary>
/// The folders of controller/Core, one namespace each, depend on each other without a cycle (README's folder map lists
/// them bottom up), and Core/Model, the types they share, depends on no other part of the product. Dependencies are read
/// from the compiled assembly (ArchUnitNET over Mono.Cecil): fields, properties, signatures, base types, attributes and
/// the types the method bodies use.
/// </summary>
public sealed class CoreDependencyTests
{
    private static readonly ArchUnitNET.Domain.Architecture Core =
        new ArchLoader().LoadAssemblies(typeof(InstanceSnapshot).Assembly).Build();

    [Fact]
    public void CoreFoldersDependOnEachOtherWithoutCycles() =>
        AssertHolds(SliceRuleDefinition.Slices().Matching("IpsecMesh.Core.(*)..").Should().BeFreeOfCycles());

    /// <summary>
    /// The one exception is the host agent's protocol records (a command's snapshot carries the agent's results), which
    /// live in the HostAgent assembly below Core.
    /// </summary>
    [Fact]
    public void ModelDependsOnNoOtherPartOfTheProduct() =>
        AssertHolds(Types().That().ResideInNamespace("IpsecMesh.Core.Model").Should().NotDependOnAny(
            Types(true).That().ResideInNamespaceMatching(@"^IpsecMesh\.")
                .And().DoNotResideInNamespace("IpsecMesh.Core.Model")
                .And().DoNotResideInNamespace("IpsecMesh.HostAgent.Protocol")));

    private static void AssertHolds(IArchRule rule)
    {
        var violations = rule.Evaluate(Core).Where(r => !r.Passed).Select(r => r.Description).ToList();
        Assert.True(violations.Count == 0, $"{rule.Description}:\n{string.Join("\n", violations)}");
    }
}
