using MlAspire.Storage.Content;
using MlAspire.Storage.Embedded;

namespace MlAspire.Storage.Tests.Embedded;

public sealed class PinLogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mlaspire-pins-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Cid Block(int i) => Cid.Compute(ContentCodec.Raw, BitConverter.GetBytes(i));

    private string LogPath => Path.Combine(_directory, PinLog.FileName);

    [Fact]
    public void Pins_and_unpins_survive_a_reopen_and_a_torn_last_line_costs_only_that_line()
    {
        using (var log = new PinLog(_directory))
        {
            Assert.True(log.Add(Block(1)));
            Assert.True(log.Add(Block(2)));
            Assert.False(log.Add(Block(2)));
            Assert.True(log.Add(Block(3)));
            Assert.True(log.Remove(Block(2)));
            Assert.False(log.Remove(Block(2)));
        }
        // A crash mid-append: half a line, no newline.
        File.AppendAllText(LogPath, "+" + Block(4).ToString()[..20]);

        using var reopened = new PinLog(_directory);
        Assert.Equal(new[] { Block(1), Block(3) }.ToHashSet(), reopened.ToList().ToHashSet());
        Assert.True(reopened.Add(Block(4))); // the torn line was dropped by the rewrite on open, not merged with this one
        using var again = new PinLog(_directory);
        Assert.Equal(new[] { Block(1), Block(3), Block(4) }.ToHashSet(), again.ToList().ToHashSet());
    }

    [Fact]
    public void The_log_stays_proportional_to_the_pins_however_many_come_and_go()
    {
        using (var log = new PinLog(_directory))
            for (var i = 0; i < 5 * PinLog.CompactAbove; i++)
            {
                log.Add(Block(i));
                log.Remove(Block(i - 10));
            }
        Assert.True(File.ReadAllLines(LogPath).Length <= 2 * PinLog.CompactAbove, $"{File.ReadAllLines(LogPath).Length} lines for 10 pins");
        using var reopened = new PinLog(_directory);
        Assert.Equal(Enumerable.Range(5 * PinLog.CompactAbove - 10, 10).Select(Block).ToHashSet(), reopened.ToList().ToHashSet());
    }

    [Fact]
    public void Marker_files_of_the_old_layout_are_taken_in_and_removed()
    {
        var markers = Directory.CreateDirectory(Path.Combine(_directory, "pins")).FullName;
        File.WriteAllBytes(Path.Combine(markers, Block(7).ToString()), []);
        File.WriteAllBytes(Path.Combine(markers, "not-a-cid"), []);

        using (var log = new PinLog(_directory))
            Assert.Equal([Block(7)], log.ToList());
        Assert.False(Directory.Exists(markers));
        using var reopened = new PinLog(_directory);
        Assert.True(reopened.Contains(Block(7)));
    }

    [Fact]
    public void On_a_full_disk_unpins_still_hold_pins_fail_cleanly_and_the_log_catches_up_once_there_is_room()
    {
        using var disk = MlAspire.Integration.Tests.Tmpfs.Mount(1 << 20);
        using (var log = new PinLog(disk.Path))
        {
            for (var i = 0; i < 20; i++)
                log.Add(Block(i));
            disk.Fill();
            Assert.Throws<StoreFullException>(() =>
            {
                for (var i = 20; i < 200; i++) // the page the log is on has room for a few more lines
                    log.Add(Block(i));
            });
            var added = log.ToList().Count(cid => !Enumerable.Range(0, 20).Select(Block).Contains(cid));
            for (var i = 0; i < 10; i++)
                Assert.True(log.Remove(Block(i))); // retention frees space by unpinning: that must work when full
            Assert.Equal(10 + added, log.Count);
            disk.Free();
            log.Add(Block(500));
        }
        using var reopened = new PinLog(disk.Path);
        Assert.DoesNotContain(Block(3), reopened.ToList());
        Assert.Contains(Block(15), reopened.ToList());
        Assert.Contains(Block(500), reopened.ToList());
    }
}
