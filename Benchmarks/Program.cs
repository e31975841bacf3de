using System.Runtime.InteropServices;
using MlAspire.Benchmarks;
using MlAspire.Benchmarks.Soak;

// Prints the figures docs/benchmarks.md records. Release build:
//   dotnet run -c Release --project Benchmarks [-- tangle|learning|ingest|step|history|collection|network [embedded|ipfs]]
//   dotnet run -c Release --project Benchmarks -- soak --peers N --minutes M --ipfs embedded|js-ipfs [--interval SECONDS]
// "all" (the default) runs tangle, learning, ingest, step and history. "network" is a separate subcommand, not part of "all": it starts real
// Bootstrap and Peer processes (and js-ipfs nodes, after `bash tools/ipfs/setup.sh`) and takes about 4 minutes on the
// 2-core machine (1.5 embedded, 2 ipfs; longer when the machine is busy), too long for "all". So is "soak" (Benchmarks/Soak), which runs for as long as it is told, and
// "collection" (a js-ipfs node's garbage collection at 200 to 2,000 pinned weights, a few minutes).
var which = args.FirstOrDefault() ?? "all";
if (which is not ("all" or "tangle" or "learning" or "ingest" or "step" or "history" or "collection" or "network" or "soak"))
{
    Console.Error.WriteLine($"Unknown benchmark '{which}': expected all, tangle, learning, ingest, step, history, collection, network or soak.");
    return 2;
}
SoakOptions? soak = null;
if (which is "soak")
{
    try
    {
        soak = SoakOptions.Parse(args[1..]);
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
}
if (which is "all" or "tangle")
    TangleBenchmarks.Run();
if (which is "all" or "learning")
    LearningBenchmarks.Run();
if (which is "all" or "ingest")
    await IngestBenchmarks.RunAsync();
if (which is "all" or "step")
    await StepBenchmarks.RunAsync();
if (which is "all" or "history")
    HistoryBenchmarks.Run();
StorageMode? only = null;
if (which is "network")
{
    var mode = args.ElementAtOrDefault(1);
    if (mode is not (null or "embedded" or "ipfs"))
    {
        Console.Error.WriteLine($"Unknown storage mode '{mode}': expected embedded or ipfs.");
        return 2;
    }
    only = mode switch { "embedded" => StorageMode.Embedded, "ipfs" => StorageMode.Ipfs, _ => null };
}
if (which is not ("network" or "soak" or "collection"))
    return 0;

// The process benchmarks: Ctrl+C, SIGTERM or SIGHUP cancels the run, which unwinds through every cluster's DisposeAsync
// (killing its processes). A second signal kills whatever is still running at once and lets the process end; so does
// an exit by any other route that runs ProcessExit.
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
    if (soak is not null)
        return await SoakRun.RunAsync(soak, cancel.Token);
    if (which is "collection")
    {
        await CollectionBenchmarks.RunAsync(cancel.Token);
        return 0;
    }
    await NetworkBenchmarks.RunAsync(only, cancel.Token);
    return 0;
}
catch (Exception e) when (e is OperationCanceledException or Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.Cancelled } && cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("Cancelled.");
    return 130;
}
