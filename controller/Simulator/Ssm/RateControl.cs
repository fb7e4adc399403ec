using System.Globalization;
using System.Text.RegularExpressions;

namespace IpsecMesh.Simulator.Ssm;

/// <summary>
/// SendCommand's MaxConcurrency (default 50) and MaxErrors (default 0), each a count or a percentage of
/// the targets: at most that many invocations are out at once, and once more invocations than MaxErrors
/// failed or timed out in execution, the ones not yet sent are cancelled (StatusDetails Terminated).
/// </summary>
internal sealed partial record RateControl(string MaxConcurrency, string MaxErrors)
{
    public static RateControl Parse(string? maxConcurrency, string? maxErrors)
    {
        maxConcurrency ??= "50";
        maxErrors ??= "0";
        if (!ConcurrencyPattern().IsMatch(maxConcurrency))
            throw new AwsServiceException(400, "ValidationException", $"MaxConcurrency '{maxConcurrency}' must be a number from 1 or a percentage from 1% to 100%");
        if (!ErrorsPattern().IsMatch(maxErrors))
            throw new AwsServiceException(400, "ValidationException", $"MaxErrors '{maxErrors}' must be a number from 0 or a percentage from 0% to 100%");
        return new RateControl(maxConcurrency, maxErrors);
    }

    /// <summary>How many invocations may be out at once for <paramref name="targets"/> targets (a percentage rounds down, to at least 1).</summary>
    public int Concurrency(int targets) => Math.Max(1, Count(MaxConcurrency, targets));

    public int Errors(int targets) => Count(MaxErrors, targets);

    public bool ErrorsExceeded(SsmCommand command) =>
        command.Invocations.Count(i => i.Status == CommandStatus.Failed || i.StatusDetails == "ExecutionTimedOut") > Errors(command.Invocations.Count);

    private static int Count(string value, int targets) =>
        value.EndsWith('%')
            ? (int)((long)targets * int.Parse(value[..^1], CultureInfo.InvariantCulture) / 100)
            : int.Parse(value, CultureInfo.InvariantCulture);

    [GeneratedRegex("^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$")]
    private static partial Regex ConcurrencyPattern();

    [GeneratedRegex("^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$")]
    private static partial Regex ErrorsPattern();
}
