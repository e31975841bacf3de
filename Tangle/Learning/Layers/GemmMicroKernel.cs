using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MlAspire.Tangle.Learning.Layers;

/// <summary>
/// The register tile of <see cref="Gemm"/>: a <see cref="Rows"/> × <see cref="Columns"/> block of C held in vector
/// accumulators (two vectors per row) while one packed strip of A and one packed panel of B stream past. Each depth
/// step loads two vectors of B and broadcasts one scalar of A per row into two FMAs: at least twelve independent
/// chains cover the FMA latency on both pipes, and the loads stay fewer than the FMAs, which therefore set the pace.
/// </summary>
internal static class GemmMicroKernel
{
    private const int Rows512 = 8;
    private const int RowsVector = 6;

    /// <summary>Eight rows (sixteen accumulators) with AVX-512's 32 registers, six (twelve) within the sixteen of AVX2.</summary>
    public static int Rows => Vector512.IsHardwareAccelerated ? Rows512 : RowsVector;

    /// <summary>Two vectors: 512-bit ones where the hardware has them, otherwise the machine's <see cref="Vector{T}"/>.</summary>
    public static int Columns => Vector512.IsHardwareAccelerated ? 2 * Vector512<float>.Count : 2 * Vector<float>.Count;

    /// <summary>
    /// C (+)= A·B for one tile: A packed depth × <see cref="Rows"/> (a column of the strip per step), B packed
    /// depth × <see cref="Columns"/>, C rows <paramref name="cStride"/> floats apart. The caller guarantees every
    /// offset is in bounds.
    /// </summary>
    public static void Multiply(ref float a, ref float b, int depth, ref float c, int cStride, bool accumulate)
    {
        // IsHardwareAccelerated is a JIT-time constant, so only one branch survives compilation.
        if (Vector512.IsHardwareAccelerated)
            Multiply512(ref a, ref b, depth, ref c, (nuint)cStride, accumulate);
        else
            MultiplyVector(ref a, ref b, depth, ref c, (nuint)cStride, accumulate);
    }

    private static void Multiply512(ref float a, ref float b, int depth, ref float c, nuint stride, bool accumulate)
    {
        var w = (nuint)Vector512<float>.Count;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        if (accumulate)
        {
            c00 = Vector512.LoadUnsafe(ref c); c01 = Vector512.LoadUnsafe(ref c, w);
            c10 = Vector512.LoadUnsafe(ref c, stride); c11 = Vector512.LoadUnsafe(ref c, stride + w);
            c20 = Vector512.LoadUnsafe(ref c, 2 * stride); c21 = Vector512.LoadUnsafe(ref c, 2 * stride + w);
            c30 = Vector512.LoadUnsafe(ref c, 3 * stride); c31 = Vector512.LoadUnsafe(ref c, 3 * stride + w);
            c40 = Vector512.LoadUnsafe(ref c, 4 * stride); c41 = Vector512.LoadUnsafe(ref c, 4 * stride + w);
            c50 = Vector512.LoadUnsafe(ref c, 5 * stride); c51 = Vector512.LoadUnsafe(ref c, 5 * stride + w);
            c60 = Vector512.LoadUnsafe(ref c, 6 * stride); c61 = Vector512.LoadUnsafe(ref c, 6 * stride + w);
            c70 = Vector512.LoadUnsafe(ref c, 7 * stride); c71 = Vector512.LoadUnsafe(ref c, 7 * stride + w);
        }
        for (var p = 0; p < depth; p++)
        {
            var b0 = Vector512.LoadUnsafe(ref b);
            var b1 = Vector512.LoadUnsafe(ref b, w);
            var x = Vector512.Create(a);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(Unsafe.Add(ref a, 1));
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(Unsafe.Add(ref a, 2));
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(Unsafe.Add(ref a, 3));
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(Unsafe.Add(ref a, 4));
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(Unsafe.Add(ref a, 5));
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(Unsafe.Add(ref a, 6));
            c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(Unsafe.Add(ref a, 7));
            c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            a = ref Unsafe.Add(ref a, Rows512);
            b = ref Unsafe.Add(ref b, 2 * w);
        }
        c00.StoreUnsafe(ref c); c01.StoreUnsafe(ref c, w);
        c10.StoreUnsafe(ref c, stride); c11.StoreUnsafe(ref c, stride + w);
        c20.StoreUnsafe(ref c, 2 * stride); c21.StoreUnsafe(ref c, 2 * stride + w);
        c30.StoreUnsafe(ref c, 3 * stride); c31.StoreUnsafe(ref c, 3 * stride + w);
        c40.StoreUnsafe(ref c, 4 * stride); c41.StoreUnsafe(ref c, 4 * stride + w);
        c50.StoreUnsafe(ref c, 5 * stride); c51.StoreUnsafe(ref c, 5 * stride + w);
        c60.StoreUnsafe(ref c, 6 * stride); c61.StoreUnsafe(ref c, 6 * stride + w);
        c70.StoreUnsafe(ref c, 7 * stride); c71.StoreUnsafe(ref c, 7 * stride + w);
    }

    private static void MultiplyVector(ref float a, ref float b, int depth, ref float c, nuint stride, bool accumulate)
    {
        var w = (nuint)Vector<float>.Count;
        Vector<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        if (accumulate)
        {
            c00 = Vector.LoadUnsafe(ref c); c01 = Vector.LoadUnsafe(ref c, w);
            c10 = Vector.LoadUnsafe(ref c, stride); c11 = Vector.LoadUnsafe(ref c, stride + w);
            c20 = Vector.LoadUnsafe(ref c, 2 * stride); c21 = Vector.LoadUnsafe(ref c, 2 * stride + w);
            c30 = Vector.LoadUnsafe(ref c, 3 * stride); c31 = Vector.LoadUnsafe(ref c, 3 * stride + w);
            c40 = Vector.LoadUnsafe(ref c, 4 * stride); c41 = Vector.LoadUnsafe(ref c, 4 * stride + w);
            c50 = Vector.LoadUnsafe(ref c, 5 * stride); c51 = Vector.LoadUnsafe(ref c, 5 * stride + w);
        }
        for (var p = 0; p < depth; p++)
        {
            var b0 = Vector.LoadUnsafe(ref b);
            var b1 = Vector.LoadUnsafe(ref b, w);
            var x = new Vector<float>(a);
            c00 = Vector.FusedMultiplyAdd(x, b0, c00); c01 = Vector.FusedMultiplyAdd(x, b1, c01);
            x = new Vector<float>(Unsafe.Add(ref a, 1));
            c10 = Vector.FusedMultiplyAdd(x, b0, c10); c11 = Vector.FusedMultiplyAdd(x, b1, c11);
            x = new Vector<float>(Unsafe.Add(ref a, 2));
            c20 = Vector.FusedMultiplyAdd(x, b0, c20); c21 = Vector.FusedMultiplyAdd(x, b1, c21);
            x = new Vector<float>(Unsafe.Add(ref a, 3));
            c30 = Vector.FusedMultiplyAdd(x, b0, c30); c31 = Vector.FusedMultiplyAdd(x, b1, c31);
            x = new Vector<float>(Unsafe.Add(ref a, 4));
            c40 = Vector.FusedMultiplyAdd(x, b0, c40); c41 = Vector.FusedMultiplyAdd(x, b1, c41);
            x = new Vector<float>(Unsafe.Add(ref a, 5));
            c50 = Vector.FusedMultiplyAdd(x, b0, c50); c51 = Vector.FusedMultiplyAdd(x, b1, c51);
            a = ref Unsafe.Add(ref a, RowsVector);
            b = ref Unsafe.Add(ref b, 2 * w);
        }
        c00.StoreUnsafe(ref c); c01.StoreUnsafe(ref c, w);
        c10.StoreUnsafe(ref c, stride); c11.StoreUnsafe(ref c, stride + w);
        c20.StoreUnsafe(ref c, 2 * stride); c21.StoreUnsafe(ref c, 2 * stride + w);
        c30.StoreUnsafe(ref c, 3 * stride); c31.StoreUnsafe(ref c, 3 * stride + w);
        c40.StoreUnsafe(ref c, 4 * stride); c41.StoreUnsafe(ref c, 4 * stride + w);
        c50.StoreUnsafe(ref c, 5 * stride); c51.StoreUnsafe(ref c, 5 * stride + w);
    }
}
