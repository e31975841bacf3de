using MlAspire.Benchmarks;

// Prints the figures docs/experiments.md records. Release build: dotnet run -c Release --project Benchmarks [-- tangle|learning]
var which = args.FirstOrDefault() ?? "all";
if (which is "all" or "tangle")
    TangleBenchmarks.Run();
if (which is "all" or "learning")
    LearningBenchmarks.Run();
