using MlAspire.Tangle.Simulation;
using MlAspire.Tangle.Training;

namespace MlAspire.Simulator.Tests;

public sealed class SimulatorTests : IDisposable
{
    private readonly string _output = Directory.CreateTempSubdirectory("mlaspire-sim-").FullName;

    public void Dispose() => Directory.Delete(_output, recursive: true);

    [Fact]
    public void Options_parse_into_the_experiment_they_name()
    {
        var options = SimulatorOptions.Parse(["--peers", "12", "--rounds", "30", "--partition", "shards:2", "--model", "logreg", "--attackers", "random:0.25",
            "--selector", "accuracy", "--parents", "3", "--candidates", "6", "--particle-depth", "0", "--methods", "tangle,fedavg", "--seed", "9"]);
        var config = options.Config;
        Assert.Equal(12, config.Peers);
        Assert.Equal(30, config.Rounds);
        Assert.Equal("shards:2", config.Partition);
        Assert.Equal(Tangle.Learning.ModelShape.LogisticRegression(784, 10), config.Model);
        Assert.Equal(0.25, config.Attack!.Fraction);
        Assert.Equal(TipSelectorKind.Accuracy, config.Learning.TipSelector);
        Assert.Equal((3, 6), (config.Learning.ParentCount, config.Learning.TipCandidates));
        Assert.Null(config.Learning.ParticleDepth);
        Assert.Equal(["tangle", "fedavg"], config.Methods);
        Assert.Equal("p12_r30_shards-2_logreg_random-0.25_s9", options.Name);
    }

    [Theory]
    [InlineData("--peers", "many", "whole number")]
    [InlineData("--bogus", "1", "Unknown option")]
    [InlineData("--partition", "zipf:2", "zipf")]
    [InlineData("--selector", "best", "accuracy, cumulative, uniform")]
    [InlineData("--attackers", "random", "KIND:FRACTION")]
    [InlineData("--methods", "magic", "Unknown method")]
    [InlineData("--methods", "fedavg:krum:x", "not a whole number")]
    [InlineData("--aggregator", "mode", "Unknown aggregator")]
    [InlineData("--pool", "all", "test, train")]
    public void Bad_options_say_what_is_wrong(string option, string value, string message)
    {
        var error = Assert.ThrowsAny<Exception>(() => SimulatorOptions.Parse([option, value]));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_run_on_real_mnist_writes_the_csv_and_a_png_chart()
    {
        var options = SimulatorOptions.Parse(["--peers", "4", "--rounds", "2", "--model", "logreg", "--train-count", "8000", "--out", _output, "--name", "smoke"]);

        Assert.Equal(0, SimulatorRun.Execute(options));

        var lines = File.ReadAllLines(Path.Combine(_output, "smoke.csv"));
        Assert.Equal(ResultsCsv.Header, lines[0]);
        Assert.Equal(1 + 2 * 3, lines.Length);
        var tangleRow = lines.Single(l => l.StartsWith("2,tangle,", StringComparison.Ordinal)).Split(',');
        Assert.InRange(double.Parse(tangleRow[2], System.Globalization.CultureInfo.InvariantCulture), 0.3, 1.0);
        Assert.True(int.Parse(tangleRow[4], System.Globalization.CultureInfo.InvariantCulture) > 1);

        var png = File.ReadAllBytes(Path.Combine(_output, "smoke.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.True(png.Length > 10_000, "the chart has content");
    }

    [Fact]
    public void Robust_methods_attacks_and_the_data_pool_are_options()
    {
        var options = SimulatorOptions.Parse(["--methods", "tangle,tangle-undefended,fedavg:trimmed-mean:0.1,fedavg:multi-krum:2", "--aggregator", "median",
            "--attackers", "sybil:0.2:4", "--retain", "500", "--pool", "train", "--data", "/somewhere"]);
        Assert.Equal(["tangle", "tangle-undefended", "fedavg:trimmed-mean:0.1", "fedavg:multi-krum:2"], options.Config.Methods);
        Assert.Equal("median", options.Config.Learning.Aggregator);
        Assert.Equal("sybil flood x4", options.Config.Attack!.CreateAttack().Name);
        Assert.Equal(500, options.Config.RetainedWeights);
        Assert.Equal((DataPool.Train, null), (options.Pool, options.TrainCount));
    }

    [Fact]
    public void Fashion_mnist_by_name_is_debians_copy_with_its_training_set()
    {
        var (pool, heldOut, _) = SimulatorRun.Load("fashion-mnist", DataPool.Train, null);
        Assert.Equal((60_000, 10_000), (pool.Count, heldOut.Count));
        Assert.Equal((784, 10), (pool.FeatureCount, pool.ClassCount));
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(6_000, pool.Labels.Count(l => l == c))); // balanced, as published

        (pool, heldOut, _) = SimulatorRun.Load("fashion-mnist", DataPool.Test, null);
        Assert.Equal((8_000, 2_000), (pool.Count, heldOut.Count)); // the matrix's split of the 10,000 test images
    }

    [Fact]
    public void The_train_pool_needs_a_separate_training_set_and_a_path_a_dataset()
    {
        Assert.Contains("no separate training set", Assert.Throws<InvalidDataException>(() => SimulatorRun.Load("mnist", DataPool.Train, null)).Message);
        Assert.Contains("holds no dataset", Assert.Throws<InvalidDataException>(() => SimulatorRun.Load(_output, DataPool.Test, null)).Message);
        Assert.Contains("leaves no train pool", Assert.Throws<ArgumentException>(() => SimulatorRun.Load("mnist", DataPool.Test, 10_000)).Message);
        Assert.Contains("leaves no train pool", Assert.Throws<ArgumentException>(() => SimulatorRun.Load("mnist", DataPool.Train, 0)).Message);
    }

    [Fact]
    public void A_folder_of_png_classes_is_learned_with_a_model_of_its_size()
    {
        // Three classes of 6 × 5 greyscale images: a bright column whose place is the class, over noise.
        var data = Path.Combine(_output, "own");
        var random = new Random(3);
        foreach (var label in new[] { 0, 1, 2 })
        {
            Directory.CreateDirectory(Path.Combine(data, $"class-{label}"));
            for (var i = 0; i < 40; i++)
            {
                using var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(6, 5, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque));
                for (var y = 0; y < 5; y++)
                    for (var x = 0; x < 6; x++)
                    {
                        var value = (byte)(x == 2 * label ? 220 + random.Next(30) : random.Next(60));
                        bitmap.SetPixel(x, y, new SkiaSharp.SKColor(value, value, value));
                    }
                using var png = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(Path.Combine(data, $"class-{label}", $"{i}.png"), png.ToArray());
            }
        }
        var options = SimulatorOptions.Parse(["--data", data, "--peers", "3", "--rounds", "6", "--eval-every", "6", "--partition", "iid",
            "--methods", "tangle,fedavg", "--out", _output, "--name", "own"]);

        Assert.Equal(0, SimulatorRun.Execute(options));

        // 120 images: 96 to train, 24 held out; both methods learn the column well above a third.
        var rows = File.ReadAllLines(Path.Combine(_output, "own.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.All(rows, r => Assert.InRange(double.Parse(r[2], System.Globalization.CultureInfo.InvariantCulture), 0.6, 1.0));
    }

    [Fact]
    public void The_matrix_report_tables_every_run_against_its_clean_run_and_charts_each_attack()
    {
        File.WriteAllLines(Path.Combine(_output, "mnist_none.csv"), [ResultsCsv.Header, "5,tangle,0.5000,1,,,", "10,tangle,0.9000,1,,,", "10,fedavg,0.9500,1,,,"]);
        File.WriteAllLines(Path.Combine(_output, "mnist_sign-flip-0.2.csv"), [ResultsCsv.Header, "10,tangle,0.8800,1,,,", "10,fedavg,0.4000,1,,,"]);
        File.WriteAllLines(Path.Combine(_output, "mnist_sign-flip-0.4.csv"), [ResultsCsv.Header, "10,tangle,0.7000,1,,,"]);
        File.WriteAllText(Path.Combine(_output, "notes.csv"), "not a run");

        Assert.Equal(0, MatrixReport.Write(_output));

        var table = File.ReadAllLines(Path.Combine(_output, "matrix.md"));
        Assert.Contains("| none | 0 % | 70.0 % | 95.0 % |", table); // the mean of the last three evaluations
        Assert.Contains("| sign-flip | 20 % | 88.0 % (+18.0) | 40.0 % (−55.0) |", table);
        Assert.Contains("| sign-flip | 40 % | 70.0 % (0.0) |  |", table);
        Assert.True(new FileInfo(Path.Combine(_output, "mnist_sign-flip.png")).Length > 10_000);
    }
}
