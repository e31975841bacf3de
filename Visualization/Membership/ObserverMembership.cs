using Grpc.Core;
using MlAspire.Storage.Membership;
using BootstrapClient = MlAspire.Bootstrap.Grpc.Bootstrap.BootstrapClient;

namespace MlAspire.Visualization.Membership;

/// <summary>
/// Keeps the Visualization an observer member: joins the bootstrap as one (signed Join), heartbeats at the interval
/// the bootstrap gives (signed Heartbeats, which bring renewed credentials), joins again when the bootstrap forgot it,
/// and leaves when stopping. While the bootstrap is down the current credential stays in use until it expires.
/// </summary>
internal sealed partial class ObserverMembership(
    BootstrapClient bootstrap, ObserverIdentity identity, VisualizationOptions options, TimeProvider time, ILogger<ObserverMembership> logger) : BackgroundService
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        TimeSpan? heartbeatInterval = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (heartbeatInterval is not { } interval)
                {
                    var joined = await bootstrap.JoinAsync(BootstrapRequests.Join(identity), deadline: Deadline(), cancellationToken: stoppingToken);
                    identity.Update(MembershipCredential.Decode(joined.Credential.Span));
                    heartbeatInterval = TimeSpan.FromMilliseconds(joined.HeartbeatIntervalMs);
                    LogJoined(identity.PeerId, joined.GenesisCid);
                    continue;
                }
                await Task.Delay(interval, time, stoppingToken);
                var beat = await bootstrap.HeartbeatAsync(BootstrapRequests.Heartbeat(identity), deadline: Deadline(), cancellationToken: stoppingToken);
                if (!beat.Known)
                {
                    LogForgotten(identity.PeerId);
                    heartbeatInterval = null;
                }
                else if (!beat.Credential.IsEmpty)
                {
                    identity.Update(MembershipCredential.Decode(beat.Credential.Span));
                }
            }
            catch (RpcException e) when (!stoppingToken.IsCancellationRequested)
            {
                // Refusals need an operator (token, clock); an unreachable bootstrap only a retry.
                var level = e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied ? LogLevel.Error : LogLevel.Information;
                LogCallFailed(level, e.StatusCode, e.Status.Detail, options.RetryDelay);
                await Task.Delay(options.RetryDelay, time, stoppingToken);
            }
            catch (FormatException e)
            {
                LogCallFailed(LogLevel.Error, StatusCode.Internal, $"the bootstrap sent a malformed credential: {e.Message}", options.RetryDelay);
                await Task.Delay(options.RetryDelay, time, stoppingToken);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (identity.Credential is null)
            return;
        // Frees the observer's place now rather than after the peer timeout; a bootstrap that is down does not matter.
        try
        {
            await bootstrap.LeaveAsync(BootstrapRequests.Leave(identity), deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: cancellationToken);
        }
        catch (RpcException e)
        {
            LogLeaveFailed(e.StatusCode);
        }
    }

    private static DateTime Deadline() => DateTime.UtcNow.Add(CallTimeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "Joined tangle {GenesisCid} as observer {PeerId}")]
    private partial void LogJoined(string peerId, string genesisCid);

    [LoggerMessage(Level = LogLevel.Information, Message = "The bootstrap no longer knows observer {PeerId} (it restarted, or dropped it); joining again")]
    private partial void LogForgotten(string peerId);

    [LoggerMessage(Message = "Observer membership call failed ({Code}: {Detail}); retrying in {Delay}")]
    private partial void LogCallFailed(LogLevel level, StatusCode code, string detail, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Leaving the bootstrap failed ({Code}); it will drop this observer when its heartbeats stop")]
    private partial void LogLeaveFailed(StatusCode code);
}
