namespace MlAspire.Bootstrap.Membership;

/// <summary>A join request that cannot be registered as sent.</summary>
public sealed class InvalidPeerRegistrationException(string message) : Exception(message);

/// <summary>A configured bound (peers or watchers) is reached.</summary>
public sealed class MembershipLimitException(string message) : Exception(message);

/// <summary>Ends a watch whose reader fell further behind than its buffer allows.</summary>
public sealed class WatchOverflowException(int bufferSize)
    : Exception($"The watcher fell more than {bufferSize} membership changes behind and was dropped; watch again for a fresh snapshot.");
