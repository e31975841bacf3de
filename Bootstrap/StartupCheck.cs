using Microsoft.Extensions.Options;
using MlAspire.Bootstrap.Genesis;
using MlAspire.Bootstrap.Membership;

namespace MlAspire.Bootstrap;

/// <summary>
/// Takes the slots' sample caps, the genesis and the credential issuer as dependencies so that they are loaded while
/// the host starts (missing demonstration data or a damaged data directory fails the start, not the first join), and
/// warns when anyone may join. The caps come first: missing demonstration data stops the start before a genesis is made.
/// </summary>
public sealed partial class StartupCheck(
    SlotSampleCaps sampleCaps, GenesisBlocks genesis, CredentialIssuer issuer, IOptions<BootstrapOptions> options, ILogger<StartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.IsOpen)
            LogOpen();
        LogServing(genesis.TransactionCid.ToString(), issuer.Lifetime, sampleCaps.ToString());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bootstrap:JoinToken is not set: the bootstrap is open, anyone who reaches it may join the tangle")]
    private partial void LogOpen();

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving tangle {GenesisCid}: credentials valid for {CredentialLifetime}, training samples per data slot {SlotSamples}")]
    private partial void LogServing(string genesisCid, TimeSpan credentialLifetime, string slotSamples);
}
