namespace IpsecMesh.Simulator.Tests;

/// <summary>
/// Waits for background work the simulator finished on simulated time to become visible. The bound
/// is generous and only guards against hanging; no test asserts on how long anything took.
/// </summary>
internal static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done)
    {
        var last = await probe();
        for (var i = 0; i < 600 && !done(last); i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
            last = await probe();
        }
        return last;
    }
}
