using MlAspire.Tangle.Training;

namespace MlAspire.Peer.Hosting;

/// <summary>What Bootstrap told this peer when it joined: how to learn, how often, and which slice of the data is its own.</summary>
public sealed record SessionSettings(LearningParameters Learning, TimeSpan TrainingInterval, double ActiveQuota, TimeSpan HeartbeatInterval, int DataSlot, int DataSlots, string Partition, int DataSeed);

/// <summary>Holds the session settings once the first join succeeded; the training loop waits on it.</summary>
public sealed class PeerSession
{
    private readonly TaskCompletionSource<SessionSettings> _settings = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsStarted => _settings.Task.IsCompletedSuccessfully;

    public Task<SessionSettings> Started => _settings.Task;

    /// <summary>Later joins (after a Bootstrap restart) keep the first settings: a running peer does not change course.</summary>
    public void Start(SessionSettings settings) => _settings.TrySetResult(settings);
}
