using Microsoft.Extensions.Options;
using MlAspire.Tangle.Data.Partitioning;
using MlAspire.Tangle.Learning;

namespace MlAspire.Bootstrap;

/// <summary>Checks the configuration at start, so a typo stops the bootstrap instead of every peer that joins it.</summary>
public sealed class BootstrapOptionsValidator : IValidateOptions<BootstrapOptions>
{
    public ValidateOptionsResult Validate(string? name, BootstrapOptions options)
    {
        var failures = new List<string>();
        void Check(bool ok, string message)
        {
            if (!ok) failures.Add($"{BootstrapOptions.Section}: {message}");
        }

        Check(!string.IsNullOrWhiteSpace(options.DataDirectory), "DataDirectory must be set.");
        try
        {
            options.Rules.Validated();
        }
        catch (FormatException e)
        {
            var setting = IsSampleShape(options.Model.Inputs) ? "Model:Architecture (with Hidden and Classes)" : "Model:Inputs";
            failures.Add($"{BootstrapOptions.Section}:{setting}: {e.Message}");
        }
        catch (ArgumentException e)
        {
            failures.Add($"{BootstrapOptions.Section}: the tangle's rules (Model, MaxParents, Training:Interval): {e.Message}");
        }
        try
        {
            options.Learning.Validated();
        }
        catch (ArgumentException e)
        {
            failures.Add($"{BootstrapOptions.Section}:Learning: {e.Message}");
        }
        Check(options.MaxParents >= options.Learning.ParentCount, $"MaxParents ({options.MaxParents}) must be at least Learning:ParentCount ({options.Learning.ParentCount}).");
        Check(options.Training.ActiveQuota is > 0 and <= 1, "Training:ActiveQuota must be in (0, 1].");
        Check(options.Data.Slots >= 1, "Data:Slots must be at least 1.");
        Check(!string.IsNullOrWhiteSpace(options.Data.Directory), "Data:Directory must be set.");
        try
        {
            Partitioners.Parse(options.Data.Partition);
        }
        catch (FormatException e)
        {
            failures.Add($"{BootstrapOptions.Section}:Data:Partition: {e.Message}");
        }
        Check(options.HeartbeatInterval > TimeSpan.Zero, "HeartbeatInterval must be positive.");
        Check(options.EffectivePeerTimeout > options.HeartbeatInterval, "PeerTimeout must be longer than HeartbeatInterval, or a peer is dropped between two heartbeats.");
        Check(options.MaxPeers >= 1, "MaxPeers must be at least 1.");
        Check(options.MaxObservers >= 1, "MaxObservers must be at least 1.");
        Check(options.ClockSkew > TimeSpan.Zero, "ClockSkew must be positive.");
        // A member heartbeats at least once in the second half of its credential's lifetime, when it is renewed.
        Check(options.CredentialLifetime > 2 * options.HeartbeatInterval,
            $"CredentialLifetime ({options.CredentialLifetime}) must be longer than two HeartbeatIntervals ({options.HeartbeatInterval}), or credentials expire before a heartbeat renews them.");
        Check(options.MaxWatchers >= 1, "MaxWatchers must be at least 1.");
        Check(options.WatchBufferSize >= 1, "WatchBufferSize must be at least 1.");

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsSampleShape(string text)
    {
        try
        {
            ActivationShape.Parse(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
