using IpsecMesh.HostAgent.Policy;

namespace IpsecMesh.HostAgent.Tests.Policy;

public class MeshPolicyValidationTests
{
    private const string Source = "s3://mesh-bucket/config/";

    [Fact]
    public void A_valid_policy_loads_without_errors()
    {
        var result = MeshPolicy.Load(PolicyFiles.Valid(), Source);

        Assert.Empty(result.Errors);
        Assert.True(result.IsValid);
    }

    [Theory]
    [InlineData("private", "10.1.0.0/16\n10.2.0.1/16\n", "s3://mesh-bucket/config/private:2: '10.2.0.1/16' has host bits set (did you mean 10.2.0.0/16?)")]
    [InlineData("block", "not-a-cidr\n", "s3://mesh-bucket/config/block:1: 'not-a-cidr' is not a CIDR")]
    [InlineData("block", "10.0.0.0/8 10.1.0.0/16\n", "s3://mesh-bucket/config/block:1: one CIDR per line")]
    [InlineData("clear", "# nothing else\n0.0.0.0/0\n", "s3://mesh-bucket/config/clear:2: 0.0.0.0/0 in clear would exempt every peer from IPsec; list exceptions only")]
    [InlineData("clear", "::/0\n", "s3://mesh-bucket/config/clear:1: ::/0 in clear would exempt every peer from IPsec; list exceptions only")]
    [InlineData("clear", "172.31.0.0/16\n", "s3://mesh-bucket/config/private-or-clear:1: 172.31.0.0/16 is also in clear (line 1): a CIDR belongs to one group")]
    [InlineData("clear-or-private", "\n\n10.1.0.0/16\n", "s3://mesh-bucket/config/clear-or-private:3: 10.1.0.0/16 is also in private (line 2): a CIDR belongs to one group")]
    [InlineData("notes.txt", "hello", "s3://mesh-bucket/config/notes.txt: unknown file; expected ipsec-mesh.conf or one of private, clear, private-or-clear, clear-or-private, block")]
    public void Rejects_a_bad_file_naming_file_and_line(string file, string text, string expected)
    {
        var result = MeshPolicy.Load(PolicyFiles.With(file, text), Source);

        Assert.Null(result.Policy);
        Assert.Contains(expected, result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Reports_every_error_at_once()
    {
        var files = PolicyFiles.Valid();
        files[PolicyGroups.Clear] = "0.0.0.0/0\n10.1.0.0/16\n";
        files[PolicyGroups.Block] = "10.9.9.9/8\n";
        files.Remove(PolicyGroups.TemplateFile);

        var errors = MeshPolicy.Load(files, "dir").Errors.Select(e => e.ToString()).ToArray();

        Assert.Equal(
            [
                "dir/block:1: '10.9.9.9/8' has host bits set (did you mean 10.0.0.0/8?)",
                "dir/clear:1: 0.0.0.0/0 in clear would exempt every peer from IPsec; list exceptions only",
                "dir/clear:2: 10.1.0.0/16 is also in private (line 2): a CIDR belongs to one group",
                "dir/ipsec-mesh.conf: the conn template is missing",
            ],
            errors.Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void A_nested_range_in_another_group_is_an_exception_not_a_contradiction()
    {
        var result = MeshPolicy.Load(PolicyFiles.With(PolicyGroups.Clear, "172.31.7.0/24\n"), Source);

        Assert.Empty(result.Errors);
    }

    [Fact]
    public void Missing_group_files_are_empty_groups()
    {
        var files = new Dictionary<string, string> { [PolicyGroups.TemplateFile] = PolicyFiles.Template };

        var policy = MeshPolicy.Load(files, Source).Policy;

        Assert.NotNull(policy);
        Assert.All(PolicyGroups.All, g => Assert.Empty(policy.Groups[g]));
    }

    [Fact]
    public void Validate_directory_reports_the_errors_of_the_files_on_disk()
    {
        var directory = Directory.CreateTempSubdirectory("ipsec-mesh-policy-").FullName;
        try
        {
            foreach (var (name, text) in PolicyFiles.With(PolicyGroups.Private, "10.1.0.0/16\n10.1.2.3\n")) File.WriteAllText(Path.Combine(directory, name), text);
            File.WriteAllText(Path.Combine(directory, ".editor-swap"), "ignored");

            var errors = PolicyValidation.ValidateDirectory(directory);

            Assert.Equal([$"{directory}/private:2: '10.1.2.3' has no prefix length (write 10.1.2.3/32)"], errors.Select(e => e.ToString()));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Validate_directory_of_a_missing_directory_is_an_error()
    {
        var errors = PolicyValidation.ValidateDirectory("/nonexistent/ipsec-mesh/policy");

        Assert.Equal(["/nonexistent/ipsec-mesh/policy: is not a directory"], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void The_repository_default_policy_validates()
    {
        var errors = PolicyValidation.ValidateDirectory(Path.Combine(PolicyFiles.RepositoryRoot(), "config", "policy"));

        Assert.Empty(errors);
    }
}
