using MlAspire.Tangle.Data;
using SkiaSharp;

namespace MlAspire.Integration.Tests;

/// <summary>
/// A peer learning on a folder of PNG images of its own (Peer:LocalData) beside a peer on a Bootstrap data slot, both
/// real processes: its updates reach the other peer, and its reference scores well on its own images.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class OwnDataTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly LocalCluster _cluster = new();
    private readonly string _images = Directory.CreateTempSubdirectory("own-data-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_images, recursive: true);
    }

    [Fact]
    public async Task A_peer_learns_on_its_own_png_folder_and_the_network_takes_its_updates()
    {
        // 600 of the held-out MNIST digits (no Bootstrap slot holds them) as PNG files, one folder per digit.
        var digits = MnistDigits.TestSet().Slice(DataSplits.MnistTrainPoolSize, 600);
        for (var i = 0; i < digits.Count; i++)
            WritePng(Path.Combine(_images, digits.Labels[i].ToString(System.Globalization.CultureInfo.InvariantCulture)), $"{i}.png", digits.Sample(i), 28);
        _cluster.StartBootstrap(new Dictionary<string, string> { ["Bootstrap__Data__Slots"] = "2" });
        var slot = _cluster.StartPeer("slot-peer");
        var own = _cluster.StartPeer("own-peer", settings: new Dictionary<string, string> { ["Peer__LocalData"] = _images });

        await Eventually.TrueAsync(async () =>
        {
            var ownId = (await own.StatusAsync()).PeerId;
            return (await slot.TransactionsAsync()).Count(t => t.Publisher == ownId) >= 3
                && await own.StatusAsync() is { TangleSize: >= 20, ReferenceAccuracy: >= 0.7 };
        }, Patience, _cluster.Logs);

        Assert.Contains($"Training on its own data {_images} (480 training, 120 local test samples)", own.Process.Output);
        foreach (var peer in new[] { slot, own })
            Assert.True((await peer.StatusAsync()).Rejected == 0, $"{peer.Name} rejected transactions:\n{_cluster.Logs()}");
    }

    [Fact]
    public async Task Own_data_that_does_not_fit_the_tangles_model_stops_the_peer_saying_why()
    {
        var pixels = new float[5 * 5];
        WritePng(Path.Combine(_images, "0"), "a.png", pixels, 5);
        WritePng(Path.Combine(_images, "1"), "b.png", pixels, 5);
        _cluster.StartBootstrap();
        var own = _cluster.StartPeer("misfit", settings: new Dictionary<string, string> { ["Peer__LocalData"] = _images });

        await Eventually.TrueAsync(() => Task.FromResult(own.Process.HasExited), Patience, _cluster.Logs);

        Assert.Equal(2, own.Process.ExitCode);
        Assert.Contains("has 25 features per sample; the tangle's model", own.Process.Output);
    }

    [Fact]
    public async Task A_missing_own_data_folder_stops_the_peer_at_once_saying_why()
    {
        _cluster.StartBootstrap();
        var own = _cluster.StartPeer("missing", settings: new Dictionary<string, string> { ["Peer__LocalData"] = Path.Combine(_images, "nowhere") });

        await Eventually.TrueAsync(() => Task.FromResult(own.Process.HasExited), Patience, _cluster.Logs);

        Assert.Equal(2, own.Process.ExitCode);
        Assert.Contains("Cannot train: No dataset at", own.Process.Output);
    }

    private static void WritePng(string folder, string name, ReadOnlySpan<float> pixels, int side)
    {
        Directory.CreateDirectory(folder);
        using var bitmap = new SKBitmap(new SKImageInfo(side, side, SKColorType.Gray8, SKAlphaType.Opaque));
        for (var y = 0; y < side; y++)
            for (var x = 0; x < side; x++)
            {
                var value = (byte)Math.Round(pixels[y * side + x] * 255);
                bitmap.SetPixel(x, y, new SKColor(value, value, value));
            }
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(Path.Combine(folder, name), png.ToArray());
    }
}
