using MlAspire.Simulator;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(SimulatorOptions.Usage);
    return 0;
}

try
{
    return args switch
    {
        ["report", var directory] => MatrixReport.Write(directory),
        ["evaluate" or "predict", ..] => OnnxScoring.Run(args, Console.Out),
        _ => SimulatorRun.Execute(SimulatorOptions.Parse(args)),
    };
}
catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
