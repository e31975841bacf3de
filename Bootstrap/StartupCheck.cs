using Microsoft.Extensions.Options;
using MlAspire.Bootstrap.Genesis;

namespace MlAspire.Bootstrap;

/// <summary>
/// Takes the genesis as a dependency so that it is loaded or created while the host starts (a damaged data directory
/// fails the start, not the first join), and warns when anyone may join.
/// </summary>
public sealed partial class StartupCheck(GenesisBlocks genesis, IOptions<BootstrapOptions> options, ILogger<StartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.IsOpen)
            LogOpen();
        LogServing(genesis.TransactionCid.ToString());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bootstrap:JoinToken is not set: the bootstrap is open, anyone who reaches it may join the tangle")]
    private partial void LogOpen();

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving tangle {GenesisCid}")]
    private partial void LogServing(string genesisCid);
}
