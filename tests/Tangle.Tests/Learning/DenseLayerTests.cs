using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Learning.Layers;

namespace MlAspire.Tangle.Tests.Learning;

public class DenseLayerTests
{
    [Theory]
    [InlineData(1, 3, 5)]     // fewer rows than a block of four, inputs shorter than a vector
    [InlineData(4, 784, 64)]  // one block, inputs a whole number of vectors
    [InlineData(11, 67, 10)]  // blocks and a remainder of rows, and a remainder of each row
    [InlineData(9, 20, 7)]    // an odd number of outputs: the last weight row pairs with none
    public void Rows_in_blocks_equal_one_dot_product_per_row(int rows, int inputs, int outputs)
    {
        var random = new Random(rows * 1000 + inputs);
        float[] Fill(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        var weights = Fill(outputs * inputs);
        var biases = Fill(outputs);
        var x = Fill(rows * inputs);

        var blocked = new float[rows * outputs];
        DenseLayer.ForwardRows(weights, biases, x, rows, blocked);

        var one = new float[outputs];
        for (var r = 0; r < rows; r++)
        {
            DenseLayer.Forward(weights, biases, x.AsSpan(r * inputs, inputs), one);
            for (var o = 0; o < outputs; o++)
                Assert.Equal(one[o], blocked[r * outputs + o], 1e-4f); // same sums, added in another order
        }
    }

    [Theory]
    [InlineData(3)]   // a peer's test set: rows in blocks
    [InlineData(40)]  // a training batch: the packed matrix product
    public void The_layer_gives_one_dot_product_per_row_and_output_at_any_batch(int rows)
    {
        var random = new Random(rows);
        float[] Fill(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        var layer = new DenseLayer(ActivationShape.Flat(67), 13, feedsRelu: true);
        var parameters = Fill(layer.ParameterCount);
        var x = Fill(rows * 67);

        var output = new float[rows * 13];
        layer.Forward(parameters, x, output, rows);

        var one = new float[13];
        for (var r = 0; r < rows; r++)
        {
            DenseLayer.Forward(parameters.AsSpan(0, layer.WeightCount), parameters.AsSpan(layer.WeightCount), x.AsSpan(r * 67, 67), one);
            for (var o = 0; o < 13; o++)
                Assert.Equal(one[o], output[r * 13 + o], 1e-4f);
        }
    }
}
