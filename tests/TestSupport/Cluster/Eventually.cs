using System.Diagnostics;

namespace MlAspire.Integration.Tests;

public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; then fails with <paramref name="describe"/>.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        if (!await WithinAsync(condition, timeout))
            Assert.Fail($"Not true after {timeout.TotalSeconds:F0} s: {Describe(describe)}");
    }

    /// <summary>
    /// The description, or why there is none: describing asks the same overloaded processes that failed the condition, and
    /// a call of its timing out must not replace the failure (a fresh-clone CI run reported only a DeadlineExceeded).
    /// </summary>
    private static string Describe(Func<string> describe)
    {
        try
        {
            return describe();
        }
        catch (Exception e) when (e is Grpc.Core.RpcException or HttpRequestException or IOException)
        {
            return $"(no description: {e.GetType().Name}: {e.Message})";
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds (true) or <paramref name="timeout"/> passes (false).</summary>
    public static async Task<bool> WithinAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < timeout)
        {
            try
            {
                if (await condition()) return true;
            }
            catch (Exception e) when (e is Grpc.Core.RpcException or HttpRequestException or IOException)
            {
                // Not up yet.
            }
            await Task.Delay(250);
        }
        return false;
    }
}
