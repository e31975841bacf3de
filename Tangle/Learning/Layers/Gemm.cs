using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MlAspire.Tangle.Learning.Layers;

/// <summary>
/// Row-major single-precision matrix products C (+)= op(A)·op(B), single-threaded, blocked as in Goto's algorithm
/// (BLIS): a depth slice of B is packed into panels as wide as the register tile, each of which stays in L1 while
/// the packed strips of A stream past it from L2. Packing also absorbs the transposes and zero-pads ragged edges,
/// so one register-tile kernel (<see cref="GemmMicroKernel"/>) serves every routine and every shape.
/// </summary>
internal static class Gemm
{
    // Depth of a packed slice: a B panel of 128 × 32 floats (16 KiB) stays in the 48 KiB L1 beside the streaming A strip
    // and the C tile; 256 (a 32 KiB panel) ran up to a third slower on some widths, never faster.
    private const int DepthBlock = 128;

    // Rows of A packed at once, a multiple of either tile height (6 or 8): 96 × 128 floats (48 KiB) stay in L2.
    private const int RowBlock = 96;

    // Columns of B packed at once, a multiple of any tile width: 1024 × 128 floats (512 KiB) stay in a 2 MiB L2.
    private const int ColumnBlock = 1024;

    /// <summary>C (+)= A·B for A m×k, B k×n and C m×n.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate) =>
        Run(new Operand(a, k, 1), new Operand(b, n, 1), c, m, k, n, accumulate);

    /// <summary>C (+)= Aᵀ·B for A stored k×m, B k×n and C m×n.</summary>
    public static void MultiplyTransposedA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate) =>
        Run(new Operand(a, 1, m), new Operand(b, n, 1), c, m, k, n, accumulate);

    /// <summary>C (+)= A·Bᵀ for A m×k, B stored n×k and C m×n.</summary>
    public static void MultiplyTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate) =>
        Run(new Operand(a, k, 1), new Operand(b, 1, k), c, m, k, n, accumulate);

    /// <summary>A logical matrix whose element (row, column) is <c>Data[row·RowStride + column·ColumnStride]</c>.</summary>
    private readonly ref struct Operand(ReadOnlySpan<float> data, int rowStride, int columnStride)
    {
        public ReadOnlySpan<float> Data { get; } = data;

        public int RowStride { get; } = rowStride;

        public int ColumnStride { get; } = columnStride;
    }

    private static void Run(Operand a, Operand b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (a.Data.Length < (long)m * k || b.Data.Length < (long)k * n || c.Length < (long)m * n)
            throw new ArgumentException($"Spans of {a.Data.Length}, {b.Data.Length} and {c.Length} floats are too short for a {m}×{k} by {k}×{n} product.");
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) c[..(m * n)].Clear();
            return;
        }

        var rows = GemmMicroKernel.Rows;
        var columns = GemmMicroKernel.Columns;
        var depthBlock = Math.Min(k, DepthBlock);
        var packedA = ArrayPool<float>.Shared.Rent(Math.Min(RoundUp(m, rows), RowBlock) * depthBlock);
        var packedB = ArrayPool<float>.Shared.Rent(Math.Min(RoundUp(n, columns), ColumnBlock) * depthBlock);
        Span<float> edgeTile = stackalloc float[rows * columns];
        try
        {
            for (var j0 = 0; j0 < n; j0 += ColumnBlock)
            {
                var width = Math.Min(ColumnBlock, n - j0);
                for (var p0 = 0; p0 < k; p0 += DepthBlock)
                {
                    var depth = Math.Min(DepthBlock, k - p0);
                    Pack(b.Data, b.ColumnStride, b.RowStride, j0, width, p0, depth, columns, packedB);
                    // Later depth slices add to what the earlier ones wrote.
                    var add = accumulate || p0 > 0;
                    for (var i0 = 0; i0 < m; i0 += RowBlock)
                    {
                        var height = Math.Min(RowBlock, m - i0);
                        Pack(a.Data, a.RowStride, a.ColumnStride, i0, height, p0, depth, rows, packedA);
                        MultiplyBlock(packedA, packedB, depth, height, width, c[(i0 * n + j0)..], n, add, edgeTile);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packedA);
            ArrayPool<float>.Shared.Return(packedB);
        }
    }

    /// <summary>
    /// Packs element (x, p) = <c>data[x·xStride + p·pStride]</c>, for x in [x0, x0 + extent) and p in [p0, p0 + depth),
    /// into panels of <paramref name="panelWidth"/> consecutive x: each panel is depth × panelWidth with x varying fastest,
    /// which is the order the register tile reads it in. The last panel is padded with zeros. The caller checked that
    /// <paramref name="data"/> holds every element read.
    /// </summary>
    private static void Pack(
        ReadOnlySpan<float> data, int xStride, int pStride, int x0, int extent, int p0, int depth, int panelWidth, Span<float> packed)
    {
        ref var source = ref MemoryMarshal.GetReference(data);
        for (var panel = 0; panel < extent; panel += panelWidth)
        {
            var filled = Math.Min(panelWidth, extent - panel);
            var destination = packed.Slice(panel * depth, depth * panelWidth);
            ref var target = ref MemoryMarshal.GetReference(destination);
            if (xStride == 1)
            {
                // Each depth step's run of x is contiguous: copy it whole.
                for (var p = 0; p < depth; p++)
                    data.Slice(x0 + panel + (p0 + p) * pStride, filled).CopyTo(destination.Slice(p * panelWidth, filled));
            }
            else
            {
                // Walk each x's run of depth in memory order and scatter it down the panel.
                for (var x = 0; x < filled; x++)
                {
                    ref var run = ref Unsafe.Add(ref source, (x0 + panel + x) * xStride + p0 * pStride);
                    ref var column = ref Unsafe.Add(ref target, x);
                    for (var p = 0; p < depth; p++)
                        Unsafe.Add(ref column, p * panelWidth) = Unsafe.Add(ref run, p * pStride);
                }
            }
            for (var p = 0; p < depth && filled < panelWidth; p++)
                destination.Slice(p * panelWidth + filled, panelWidth - filled).Clear();
        }
    }

    /// <summary>
    /// C (+)= packed A (height rows) · packed B (width columns) for one block, C's first element at
    /// <paramref name="c"/>[0]. Tiles that overhang the block are computed whole into <paramref name="edgeTile"/>
    /// (the padding makes the overhang zeros) and only their inside is copied out.
    /// </summary>
    private static void MultiplyBlock(
        ReadOnlySpan<float> packedA, ReadOnlySpan<float> packedB, int depth, int height, int width,
        Span<float> c, int cStride, bool accumulate, Span<float> edgeTile)
    {
        var rows = GemmMicroKernel.Rows;
        var columns = GemmMicroKernel.Columns;
        ref var a = ref MemoryMarshal.GetReference(packedA);
        ref var b = ref MemoryMarshal.GetReference(packedB);
        ref var edge = ref MemoryMarshal.GetReference(edgeTile);
        // Panels of B outside, strips of A inside: the B panel is reused from L1 by every strip.
        for (var j = 0; j < width; j += columns)
        {
            var tileWidth = Math.Min(columns, width - j);
            ref var panel = ref Unsafe.Add(ref b, j * depth);
            for (var i = 0; i < height; i += rows)
            {
                var tileHeight = Math.Min(rows, height - i);
                ref var strip = ref Unsafe.Add(ref a, i * depth);
                if (tileHeight == rows && tileWidth == columns)
                {
                    // A whole tile lies inside C, which the caller checked holds this block.
                    GemmMicroKernel.Multiply(ref strip, ref panel, depth, ref c[i * cStride + j], cStride, accumulate);
                    continue;
                }
                GemmMicroKernel.Multiply(ref strip, ref panel, depth, ref edge, columns, accumulate: false);
                for (var r = 0; r < tileHeight; r++)
                {
                    var source = edgeTile.Slice(r * columns, tileWidth);
                    var destination = c.Slice((i + r) * cStride + j, tileWidth);
                    if (accumulate) TensorPrimitives.Add(destination, source, destination);
                    else source.CopyTo(destination);
                }
            }
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
