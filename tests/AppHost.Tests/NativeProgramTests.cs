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
    }

    private string Write(string relativePath, string content, DateTime lastWrite)
    {
        var path = Path.Combine(_repository.FullName, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, lastWrite);
        return path;
    }
}
