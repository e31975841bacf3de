using System.Numerics.Tensors;

namespace MlAspire.Tangle.Learning.Layers;

/// <summary>
/// The patch matrix of a stride-1, zero-padded ("same") convolution: row (c, i, j) of the
/// (channels·kernelHeight·kernelWidth) × (height·width) matrix holds channel c shifted by kernel offset (i, j), with
/// zeros where the shift leaves the image. A convolution is then one matrix product with the filters. Each row is one
/// block copy of its shifted plane, with the columns that wrap in from a neighbouring line zeroed after.
/// </summary>
internal readonly record struct Im2Col(ActivationShape Image, int KernelHeight, int KernelWidth)
{
    public int Rows => checked(Image.Channels * KernelHeight * KernelWidth);

    public int Pixels => checked(Image.Height * Image.Width);

    public int Size => checked(Rows * Pixels);

    /// <summary>Writes the patch matrix of one sample's <paramref name="image"/> into <paramref name="columns"/>.</summary>
    public void Expand(ReadOnlySpan<float> image, Span<float> columns)
    {
        for (var row = 0; row < Rows; row++)
        {
            var destination = columns.Slice(row * Pixels, Pixels);
            var shifted = Shift(row);
            if (shifted.IsEmpty)
            {
                destination.Clear();
                continue;
            }
            var (start, end) = shifted.Entries;
            destination[..start].Clear();
            destination[end..].Clear();
            // One shifted copy moves every line at once; the few columns it wraps in from neighbouring lines are then zeroed.
            image.Slice(shifted.Plane + start + shifted.Offset, end - start).CopyTo(destination[start..end]);
            shifted.ClearWrapped(destination);
        }
    }

    /// <summary>
    /// The adjoint of <see cref="Expand"/>: adds each patch-matrix entry back onto the pixel it was copied from. To add
    /// whole shifted blocks it first zeroes the entries of <paramref name="columns"/> that lie on the padding.
    /// </summary>
    public void FoldAdd(Span<float> columns, Span<float> image)
    {
        for (var row = 0; row < Rows; row++)
        {
            var shifted = Shift(row);
            if (shifted.IsEmpty) continue;
            var source = columns.Slice(row * Pixels, Pixels);
            shifted.ClearWrapped(source);
            var (start, end) = shifted.Entries;
            var target = image.Slice(shifted.Plane + start + shifted.Offset, end - start);
            TensorPrimitives.Add(target, source[start..end], target);
        }
    }

    /// <summary>Where patch-matrix row <paramref name="row"/> = (channel, kernel row, kernel column) reads the image.</summary>
    private ShiftedPlane Shift(int row)
    {
        var kernelArea = KernelHeight * KernelWidth;
        var dy = row % kernelArea / KernelWidth - KernelHeight / 2;
        var dx = row % KernelWidth - KernelWidth / 2;
        var (height, width) = (Image.Height, Image.Width);
        // Output rows and columns whose source, shifted by (dy, dx), lies inside the image.
        var top = Math.Clamp(-dy, 0, height);
        var left = Math.Clamp(-dx, 0, width);
        return new ShiftedPlane(
            row / kernelArea * Pixels, dy * width + dx, width,
            top, Math.Clamp(height - dy, top, height), left, Math.Clamp(width - dx, left, width));
    }

    /// <summary>
    /// One channel plane (starting at <see cref="Plane"/> in the image) seen through a kernel offset: entry e of the
    /// patch-matrix row reads pixel e + <see cref="Offset"/> when its line lies in [Top, Bottom) and its column in [Left, Right).
    /// </summary>
    private readonly record struct ShiftedPlane(int Plane, int Offset, int Width, int Top, int Bottom, int Left, int Right)
    {
        public bool IsEmpty => Top == Bottom || Left == Right;

        /// <summary>From the first entry inside the image to just past the last.</summary>
        public (int Start, int End) Entries => (Top * Width + Left, (Bottom - 1) * Width + Right);

        /// <summary>Zeroes the entries of lines [Top, Bottom) whose column lies outside [Left, Right).</summary>
        public void ClearWrapped(Span<float> entries)
        {
            for (var y = Top; y < Bottom; y++)
            {
                entries.Slice(y * Width, Left).Clear();
                entries.Slice(y * Width + Right, Width - Right).Clear();
            }
        }
    }
}
