using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Core.Tests.Cloud;

/// <summary>
/// Batch windows on a fake clock: a window ends only when the test advances the clock, so whatever was submitted before
/// shares it however the machine schedules the test (on the wall clock, a test preempted for longer than the window
/// between two submissions saw them in two calls).
/// </summary>
internal static class FakeClockWindows
{
    /// <summary>Advances <paramref name="time"/> a window at a time until <paramref name="done"/> holds (the batcher sets its timer when it wakes); 60 s at most.</summary>
    public static async Task AdvanceUntilAsync(FakeTimeProvider time, TimeSpan window, Func<bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, "the batch was never flushed");
            time.Advance(window);
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }
}
