using System.Runtime.InteropServices;
using MlAspire.Benchmarks;

// Prints the figures docs/experiments.md records. Release build:
//   dotnet run -c Release --project Benchmarks [-- tangle|learning|ingest|network [embedded|ipfs]]
// "all" (the default) runs tangle, learning and ingest. "network" is a separate subcommand, not part of "all": it starts real
// Bootstrap and Peer processes (and js-ipfs nodes, after `bash tools/ipfs/setup.sh`) and takes about 4 minutes on the
// 2-core machine (1.5 embedded, 2 ipfs; longer when the machine is busy), too long for "all".
var which = args.FirstOrDefault() ?? "all";
if (which is not ("all" or "tangle" or "learning" or "ingest" or "network"))
{
    Console.Error.WriteLine($"Unknown benchmark '{which}': expected all, tangle, learning, ingest or network.");
    return 2;
}
if (which is "all" or "tangle")
    TangleBenchmarks.Run();
if (which is "all" or "learning")
    LearningBenchmarks.Run();
if (which is "all" or "ingest")
    await IngestBenchmarks.RunAsync();
if (which is "network")
{
    var mode = args.ElementAtOrDefault(1);
    if (mode is not (null or "embedded" or "ipfs"))
    {
        Console.Error.WriteLine($"Unknown storage mode '{mode}': expected embedded or ipfs.");
        return 2;
    }
    StorageMode? only = mode switch { "embedded" => StorageMode.Embedded, "ipfs" => StorageMode.Ipfs, _ => null };
    // Ctrl+C, SIGTERM or SIGHUP cancels the run, which unwinds through every cluster's DisposeAsync (killing its
    // processes). A second signal kills whatever is still running at once and lets the process end; so does an exit
    // by any other route that runs ProcessExit.
    using var cancel = new CancellationTokenSource();
    void Stop(PosixSignalContext context)
    {
        if (cancel.IsCancellationRequested)
        {
            NetworkCluster.KillAll();
            return;
        }
        context.Cancel = true;
        Console.Error.WriteLine("Stopping: killing the benchmark's processes…");
        cancel.Cancel();
    }
    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);
    AppDomain.CurrentDomain.ProcessExit += (_, _) => NetworkCluster.KillAll();
    try
    {
        await NetworkBenchmarks.RunAsync(only, cancel.Token);
    }
    catch (Exception e) when (e is OperationCanceledException or Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.Cancelled } && cancel.IsCancellationRequested)
    {
        Console.Error.WriteLine("Cancelled.");
        return 130;
    }
}
return 0;
