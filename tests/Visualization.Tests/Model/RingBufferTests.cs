using MlAspire.Visualization.Model;

namespace MlAspire.Visualization.Tests.Model;

public sealed class RingBufferTests
{
    [Fact]
    public void Keeps_the_newest_items_oldest_first_and_reports_what_it_evicts()
    {
        var buffer = new RingBuffer<int>(3);
        Assert.False(buffer.Add(1, out _));
        Assert.False(buffer.Add(2, out _));
        Assert.False(buffer.Add(3, out _));
        Assert.True(buffer.Add(4, out var evicted));
        Assert.Equal(1, evicted);
        Assert.True(buffer.Add(5, out evicted));
        Assert.Equal(2, evicted);
        Assert.Equal([3, 4, 5], buffer.ToArray());
        Assert.Equal(3, buffer.Count);
    }

    [Fact]
    public void A_buffer_without_room_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RingBuffer<int>(0));
}
