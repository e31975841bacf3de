namespace MlAspire.AppHost.Tests;

/// <summary>A native program is run only while it is current: never a missing one, never one older than its sources.</summary>
public sealed class NativeProgramTests : IDisposable
{
    private readonly DirectoryInfo _repository = Directory.CreateTempSubdirectory("native-program-");

    public void Dispose() => _repository.Delete(recursive: true);

    [Fact]
    public void A_program_newer_than_its_sources_is_run_and_a_missing_one_or_one_older_than_a_source_is_refused()
    {
        var before = DateTime.UtcNow.AddMinutes(-10);
        var peer = Write("Peer/Peer.csproj", """<Project><ItemGroup><ProjectReference Include="..\Lib\Lib.csproj" /><Protobuf Include="..\Contracts\api.proto" /></ItemGroup></Project>""", before);
        var peerSource = Write("Peer/Program.cs", "", before);
        var library = Write("Lib/Lib.csproj", "<Project />", before);
        var librarySource = Write("Lib/Nested/Code.cs", "", before);
        var contract = Write("Contracts/api.proto", "", before);
        Write("Other/Other.cs", "", DateTime.UtcNow);
        var sharedSettings = Write("Directory.Build.props", "<Project />", before);
        var sdk = Write("global.json", "{}", before);
        var projectFolder = Path.GetDirectoryName(peer)!;

        var missing = Assert.Throws<InvalidOperationException>(() => NativeProgram.Current(projectFolder));
        Assert.Contains("is not published: run `bash tools/native/publish.sh`", missing.Message);

        var program = Write("Peer/bin/Release/net10.0/linux-x64/publish/Peer", "", DateTime.UtcNow.AddMinutes(-5));
        // Build outputs and files of projects it does not reference are no sources of it, however new.
        Write("Peer/bin/Release/net10.0/Generated.cs", "", DateTime.UtcNow);
        Write("Lib/obj/Release/net10.0/Generated.cs", "", DateTime.UtcNow);
        Assert.Equal(program, NativeProgram.Current(projectFolder));

        foreach (var source in new[] { peerSource, peer, library, librarySource, contract, sharedSettings, sdk })
        {
            File.SetLastWriteTimeUtc(source, DateTime.UtcNow);
            var stale = Assert.Throws<InvalidOperationException>(() => NativeProgram.Current(projectFolder));
            Assert.Contains($"is older than {source}", stale.Message);
            Assert.Contains("run `bash tools/native/publish.sh` again", stale.Message);
            File.SetLastWriteTimeUtc(source, before);
        }
        Assert.Equal(program, NativeProgram.Current(projectFolder));

        // A source deleted changes no file's time: its folder's.
        File.Delete(librarySource);
        Assert.Contains($"is older than {Path.GetDirectoryName(librarySource)}", Assert.Throws<InvalidOperationException>(() => NativeProgram.Current(projectFolder)).Message);
    }

    [Fact]
    public void Peers_run_a_current_native_program_publish_a_stale_one_where_they_can_and_else_run_their_assembly_unless_told()
    {
        const string NoClang = "clang, its native linker, is missing";
        var before = DateTime.UtcNow.AddMinutes(-10);
        var source = Write("Peer/Program.cs", "", before);
        Write("Peer/Peer.csproj", "<Project />", before);
        var projectFolder = Path.GetDirectoryName(source)!;
        var program = NativeProgram.PathIn(projectFolder);
        var publishes = 0;
        string? Publishes() { publishes++; Write("Peer/bin/Release/net10.0/linux-x64/publish/Peer", "", DateTime.UtcNow); return null; }
        string? Fails() { publishes++; return "tools/native/publish.sh failed (exit code 1)"; }
        string? MustNotPublish() => throw new InvalidOperationException("published");
        string? CanPublish() => null;
        string? NoClangHere() => NoClang;
        string? MustNotAsk() => throw new InvalidOperationException("asked whether it can publish");

        // Not published, and this machine cannot: the assembly, saying why; insisting refuses to start.
        Assert.Equal(new PeerProgram(null, $"{program} is not published, and {NoClang}"), PeerProgram.Choose(null, projectFolder, "net10.0", NoClangHere, MustNotPublish));
        Assert.Contains($"--native-peers true: {program} is not published, and {NoClang}",
            Assert.Throws<InvalidOperationException>(() => PeerProgram.Choose(true, projectFolder, "net10.0", NoClangHere, MustNotPublish)).Message);
        // A publish that fails: the assembly again, unless insisting.
        Assert.Equal(new PeerProgram(null, $"{program} is not published, and tools/native/publish.sh failed (exit code 1)"),
            PeerProgram.Choose(null, projectFolder, "net10.0", CanPublish, Fails));
        Assert.Throws<InvalidOperationException>(() => PeerProgram.Choose(true, projectFolder, "net10.0", CanPublish, Fails));
        Assert.Equal(2, publishes);
        // One that succeeds: the program it published.
        Assert.Equal(new PeerProgram(program, $"{program} is not published: published it now"), PeerProgram.Choose(null, projectFolder, "net10.0", CanPublish, Publishes));
        Assert.Equal(3, publishes);

        // Current: run as it is, without asking what this machine could do, unless told not to.
        foreach (var setting in new bool?[] { null, true })
            Assert.Equal(new PeerProgram(program, $"{program} is current"), PeerProgram.Choose(setting, projectFolder, "net10.0", MustNotAsk, MustNotPublish));
        Assert.Equal(new PeerProgram(null, "--native-peers false"), PeerProgram.Choose(false, projectFolder, "net10.0", MustNotAsk, MustNotPublish));

        // Changed since: published again, or the assembly, naming the source that changed.
        File.SetLastWriteTimeUtc(source, DateTime.UtcNow.AddMinutes(1));
        var stale = PeerProgram.Choose(null, projectFolder, "net10.0", NoClangHere, MustNotPublish);
        Assert.Null(stale.NativePath);
        Assert.Contains($"is older than {source}", stale.Reason);
        // A publish that leaves the program older than a source (edited while it ran) is no success.
        Assert.Null(PeerProgram.Choose(null, projectFolder, "net10.0", CanPublish, () => null).NativePath);
        File.SetLastWriteTimeUtc(source, before);
    }

    [Fact]
    public void The_native_program_can_be_published_with_clang_on_an_x86_64_v3_cpu()
    {
        const string Modern = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 bmi1 bmi2 f16c fma abm movbe avx512f\nbugs\t\t: spectre_v1\n";
        Assert.Null(PeerProgram.WhyNotPublishable(Modern, _ => true));
        Assert.Contains("clang", PeerProgram.WhyNotPublishable(Modern, command => command != "clang"));
        Assert.Contains("lacks bmi1, bmi2, f16c, fma, abm, movbe of x86-64-v3",
            PeerProgram.WhyNotPublishable("flags\t\t: fpu sse2 avx avx2\nbugs\t\t: fma\n", _ => true));
        Assert.Contains("lacks avx, avx2", PeerProgram.WhyNotPublishable("", _ => true));
    }

    /// <summary>Writes a file dated <paramref name="lastWrite"/>; its folders keep an old date, as a checkout's would.</summary>
    private string Write(string relativePath, string content, DateTime lastWrite)
    {
        var path = Path.Combine(_repository.FullName, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, lastWrite);
        for (var folder = Path.GetDirectoryName(path)!; folder.Length >= _repository.FullName.Length; folder = Path.GetDirectoryName(folder)!)
            Directory.SetLastWriteTimeUtc(folder, DateTime.UtcNow.AddHours(-1));
        return path;
    }
}
