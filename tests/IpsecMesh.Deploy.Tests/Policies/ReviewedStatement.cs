namespace IpsecMesh.Deploy.Tests.Policies;

/// <summary>
/// One policy statement of the stack as reviewed: its principal, actions, resources and conditions
/// (rendered as the template writes them), and what it enforces. A statement that differs in any of
/// them (an action or resource more, a condition less) fails its test.
/// </summary>
public sealed record ReviewedStatement(
    string Source,
    string Sid,
    string Effect,
    string Principal,
    string[] Actions,
    string[] Resources,
    string Condition,
    string Enforces)
{
    public override string ToString() => $"{Source}/{Sid}";
}
