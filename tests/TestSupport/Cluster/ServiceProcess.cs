using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MlAspire.Integration.Tests;

/// <summary>One of the system's programs running as a real process, with its output kept for failure messages.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServiceProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

    /// <summary>The exit code once the process has exited (137 for a SIGKILL seen through a wrapper such as strace).</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>The last 200 lines, or as many as MLASPIRE_TEST_LOG_LINES says when debugging a test.</summary>
    public string Output => string.Join('\n', _output.TakeLast(OutputLines));

    /// <summary>The first line written so far that contains <paramref name="fragment"/>, however long ago; null if none.</summary>
    public string? FirstLine(string fragment) => _output.FirstOrDefault(line => line.Contains(fragment, StringComparison.Ordinal));

    private static readonly int OutputLines = int.TryParse(Environment.GetEnvironmentVariable("MLASPIRE_TEST_LOG_LINES"), out var lines) ? lines : 200;

    /// <summary>
    /// Starts <c>dotnet PROJECT.dll</c> from the project's build output with the given configuration, or with
    /// <paramref name="native"/> the project's native (ahead-of-time compiled) program, <see cref="NativeProgram"/>.
    /// </summary>
    /// <param name="wrapper">
    /// A command the program runs under, e.g. <c>["strace", "-f", …]</c>: then the process (and <see cref="ProcessId"/>)
    /// is the wrapper's, and killing it kills the whole tree.
    /// </param>
    public static ServiceProcess Start(string name, string project, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string>? wrapper = null, bool native = false)
    {
        string[] program;
        if (native)
            program = [NativeProgram(project)];
        else
        {
            var dll = Path.Combine(Repository.Root, project, "bin", Repository.Configuration, "net10.0", $"{project}.dll");
            if (!File.Exists(dll))
                throw new FileNotFoundException($"{dll} is missing: build the solution first.");
            program = ["dotnet", dll];
        }
        string[] command = [.. wrapper ?? [], .. program];
        var start = new ProcessStartInfo(command[0], command[1..])
        {
            // A native program runs in its project's folder, its content root as under the AppHost: the publish folder's
            // copy of appsettings.json is only as new as the last publish.
            WorkingDirectory = native ? Path.Combine(Repository.Root, project) : Path.GetDirectoryName(program[^1])!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program[^1]}.");
        var service = new ServiceProcess(name, process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) service._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) service._output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>The project's native program, published and current (<see cref="MlAspire.AppHost.NativeProgram"/>).</summary>
    public static string NativeProgram(string project) => MlAspire.AppHost.NativeProgram.Current(Path.Combine(Repository.Root, project));

    /// <summary>
    /// Freezes the process (SIGSTOP), as a hung program or a swapped-out machine: the kernel still accepts connections
    /// on its sockets, and nothing answers them.
    /// </summary>
    public void Stall() => SystemCommand.Run("kill", "-STOP", ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Lets a <see cref="Stall"/>ed process run again (SIGCONT).</summary>
    public void Resume() => SystemCommand.Run("kill", "-CONT", ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Ends the process at once, as a crash or an out-of-memory kill would.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// A loopback port nobody listens on, below Linux's ephemeral range (32768 and up). A port the OS hands out for
    /// port 0 can be handed out again, for the local end of any outbound connection, before the child process binds it:
    /// that race once stopped a peer with "address already in use". Ports here are given out once per test run.
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            var port = 20_000 + (int)((uint)Interlocked.Increment(ref _nextPort) % 12_000);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // taken (another test run on this machine, or a service): the next one
            }
        }
    }

    private static int _nextPort = Random.Shared.Next(12_000);
}

public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release, as this test assembly was built.</summary>
    public static string Configuration { get; } = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "MlAspire.sln")))
                return directory.FullName;
        throw new DirectoryNotFoundException("MlAspire.sln not found above the test assembly.");
    }
}
