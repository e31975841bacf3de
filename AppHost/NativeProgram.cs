using System.Text.RegularExpressions;

namespace MlAspire.AppHost;

/// <summary>
/// A service's native program as <c>tools/native/publish.sh</c> publishes it (Native AOT, the SDK's publish folder for
/// linux-x64), for whatever starts one: the AppHost (<c>PeerProgram</c>), the tests and the soak (linked into
/// tests/TestSupport and tests/AppHost.Tests).
/// </summary>
internal static partial class NativeProgram
{
    /// <summary>The files whose change changes the program: sources, contracts and build settings.</summary>
    private static readonly HashSet<string> SourceExtensions = new(StringComparer.OrdinalIgnoreCase) { ".cs", ".csproj", ".proto", ".props", ".targets" };

    /// <summary>Where <c>tools/native/publish.sh</c> puts the program of the project in <paramref name="projectFolder"/>.</summary>
    public static string PathIn(string projectFolder, string targetFramework = "net10.0")
    {
        projectFolder = Path.GetFullPath(Path.TrimEndingDirectorySeparator(projectFolder));
        return Path.Combine(projectFolder, "bin", "Release", targetFramework, "linux-x64", "publish", Path.GetFileName(projectFolder));
    }

    /// <summary>
    /// The program of the project in <paramref name="projectFolder"/>, checked to exist and to be newer than every source
    /// file it is compiled from (the project's, the projects it references, the repository's shared build files): a
    /// program published before the code last changed would run the old code. Sources, not the Release build's
    /// assemblies: building for the AppHost after publishing recompiles them unchanged (the restores for and without
    /// the runtime identifier alternate).
    /// </summary>
    /// <exception cref="InvalidOperationException">The program is missing or older than a source.</exception>
    public static string Current(string projectFolder, string targetFramework = "net10.0") =>
        WhyNotCurrent(projectFolder, targetFramework) switch
        {
            null => PathIn(projectFolder, targetFramework),
            var why when !File.Exists(PathIn(projectFolder, targetFramework)) =>
                throw new InvalidOperationException($"{why}: run `bash tools/native/publish.sh` (about a minute; it needs clang)."),
            var why => throw new InvalidOperationException($"{why}: run `bash tools/native/publish.sh` again."),
        };

    /// <summary>Null when the program is current (see <see cref="Current"/>), else what is wrong with it.</summary>
    public static string? WhyNotCurrent(string projectFolder, string targetFramework = "net10.0")
    {
        var program = PathIn(projectFolder, targetFramework);
        if (!File.Exists(program))
            return $"{program} is not published";
        var published = File.GetLastWriteTimeUtc(program);
        var newer = Sources(Path.GetFullPath(Path.TrimEndingDirectorySeparator(projectFolder))).FirstOrDefault(source => File.GetLastWriteTimeUtc(source) > published);
        return newer is null ? null : $"{program} is older than {newer}, changed since it was published";
    }

    private static IEnumerable<string> Sources(string projectFolder)
    {
        var root = Path.GetDirectoryName(projectFolder)!;
        var folders = new HashSet<string>(StringComparer.Ordinal);
        var files = new List<string>();
        var pending = new Stack<string>([projectFolder]);
        while (pending.TryPop(out var folder))
        {
            if (!folders.Add(folder))
                continue;
            foreach (var project in Directory.EnumerateFiles(folder, "*.csproj"))
                foreach (Match include in Included().Matches(File.ReadAllText(project)))
                {
                    var path = Path.GetFullPath(Path.Combine(folder, include.Groups["path"].Value.Replace('\\', Path.DirectorySeparatorChar)));
                    if (include.Groups["kind"].Value == "ProjectReference")
                        pending.Push(Path.GetDirectoryName(path)!);
                    else if (!path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(path))
                        files.Add(path); // a contract linked from another project's folder
                }
        }
        // The repository's shared build settings, and the SDK it pins (a newer one compiles the same sources anew).
        files.AddRange(Directory.EnumerateFiles(root, "Directory.*").Append(Path.Combine(root, "global.json")).Where(File.Exists));
        foreach (var folder in folders)
            files.AddRange(SourceFiles(folder));
        return files;
    }

    /// <summary>
    /// The folder's sources, without going into build outputs, and the folder itself and those under it: a source
    /// deleted, renamed or moved in with an old time changes no file's time, only its folder's.
    /// </summary>
    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(folder).Where(file => SourceExtensions.Contains(Path.GetExtension(file)))
            .Prepend(folder)
            .Concat(Directory.EnumerateDirectories(folder).Where(d => Path.GetFileName(d) is not ("bin" or "obj")).SelectMany(SourceFiles));

    [GeneratedRegex(@"<(?<kind>ProjectReference|Protobuf) Include=""(?<path>[^""*]+)""")]
    private static partial Regex Included();
}
