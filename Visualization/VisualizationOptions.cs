namespace MlAspire.Visualization;

/// <summary>Configuration section "Visualization".</summary>
public sealed class VisualizationOptions
{
    public const string Section = "Visualization";

    /// <summary>The bootstrap's gRPC endpoint; unset, the address Aspire service discovery gives (services:bootstrap:grpc:0).</summary>
    public string? BootstrapAddress { get; set; }

    /// <summary>The join token the bootstrap requires of every caller (Bootstrap:JoinToken).</summary>
    public string? JoinToken { get; set; }

    /// <summary>The newest transactions kept per peer, and so the most a browser is sent and draws for one peer.</summary>
    public int TransactionsPerPeer { get; set; } = 10_000;

    /// <summary>Reference-accuracy samples kept per peer for the chart (an hour at the default interval).</summary>
    public int AccuracySamplesPerPeer { get; set; } = 1_800;

    /// <summary>How often each peer's status (tips, reference model and its accuracy) is sampled.</summary>
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Wait before calling an unreachable peer or bootstrap again.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Peers that left are kept on the page (greyed) until this many peers are known.</summary>
    public int MaxPeers { get; set; } = 64;

    /// <summary>Browsers following the live page at once; one more is answered 503 and retries later.</summary>
    public int MaxBrowsers { get; set; } = 64;

    /// <summary>Refuses settings the service cannot run with, naming the setting, at startup rather than at the first peer.</summary>
    public VisualizationOptions Validate()
    {
        (string Name, bool Ok)[] checks =
        [
            (nameof(TransactionsPerPeer), TransactionsPerPeer > 0),
            (nameof(AccuracySamplesPerPeer), AccuracySamplesPerPeer > 0),
            (nameof(StatusInterval), StatusInterval > TimeSpan.Zero),
            (nameof(RetryDelay), RetryDelay >= TimeSpan.Zero),
            (nameof(MaxPeers), MaxPeers > 0),
            (nameof(MaxBrowsers), MaxBrowsers > 0),
        ];
        foreach (var (name, ok) in checks)
            if (!ok) throw new InvalidOperationException($"{Section}:{name} must be positive.");
        return this;
    }

    public string ResolveBootstrapAddress(IConfiguration configuration) =>
        BootstrapAddress ?? configuration["services:bootstrap:grpc:0"]
        ?? throw new InvalidOperationException(
            "No bootstrap address: set Visualization:BootstrapAddress (e.g. http://127.0.0.1:5101) or reference the bootstrap from the AppHost.");
}
