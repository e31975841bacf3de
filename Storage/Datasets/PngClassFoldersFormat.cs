using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;

using System.Globalization;

namespace MlAspire.Storage.Datasets;

/// <summary>
/// A folder with one subfolder of PNG images per class. Subfolders named by whole numbers 0–255 are those classes (so
/// a peer holding only some classes labels them as every other peer does); otherwise the classes are the subfolders in
/// ordinal order of their names. Every image must have the same size and colour (greyscale or RGB, see <see cref="PngDecoder"/>); a sample
/// is its pixels scaled to [0, 1], channels first. Samples are shuffled into one fixed order
/// (<see cref="DatasetFormats.InFixedRandomOrder"/>).
/// </summary>
public sealed class PngClassFoldersFormat : IDatasetFormat
{
    public string Description => "a folder with one subfolder of PNG images per class (named 0, 1, ... or by name)";

    public bool Recognizes(string path) =>
        Directory.Exists(path) && Directory.EnumerateDirectories(path).Any(d => Images(d).Any());

    public LoadedDataset Load(string path)
    {
        var classes = Directory.EnumerateDirectories(path).Where(d => Images(d).Any()).Order(StringComparer.Ordinal).ToList();
        if (classes.Count > DatasetFormats.MaxClasses)
            throw new InvalidDataException($"{path} has {classes.Count} class folders; at most {DatasetFormats.MaxClasses} are supported.");
        var numbered = classes.All(d => byte.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out _));
        var labelOf = classes.Select((d, i) => numbered ? byte.Parse(Path.GetFileName(d), CultureInfo.InvariantCulture) : (byte)i).ToArray();
        var features = new List<float>();
        var labels = new List<byte>();
        (int Width, int Height, int Channels, string File, PngImage Image)? first = null;
        for (var label = 0; label < classes.Count; label++)
            foreach (var file in Images(classes[label]).Order(StringComparer.Ordinal))
            {
                var image = PngDecoder.DecodeFile(file);
                first ??= (image.Width, image.Height, image.Channels, file, image);
                if ((image.Width, image.Height, image.Channels) != (first.Value.Width, first.Value.Height, first.Value.Channels))
                    throw new InvalidDataException(
                        $"{file} is {image} but {first.Value.File} is {first.Value.Image}: every image must have the same size and colour.");
                if (features.Count + image.Planes.Length > DatasetFormats.MaxValues)
                    throw new InvalidDataException($"{path} holds more than {DatasetFormats.MaxValues:N0} pixel values (1 GiB as floats) by {file}: too large to load at once.");
                features.AddRange(image.ToFeatures());
                labels.Add(labelOf[label]);
            }
        var featureCount = first!.Value.Width * first.Value.Height * first.Value.Channels;
        var data = new Dataset([.. features], [.. labels], featureCount, Math.Max(2, labelOf.Max() + 1));
        return new LoadedDataset(DatasetFormats.InFixedRandomOrder(data), null, new ActivationShape(first.Value.Channels, first.Value.Height, first.Value.Width));
    }

    private static IEnumerable<string> Images(string directory) =>
        Directory.EnumerateFiles(directory).Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase));
}
