using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace MlAspire.AppHost;

/// <summary>Where the peers keep weights and transactions.</summary>
internal enum IpfsMode
{
    /// <summary>One <c>ipfs/kubo</c> container per peer (needs a healthy container runtime).</summary>
    Containers,

    /// <summary>One local js-ipfs process per peer, started by tools/ipfs/start-node.sh (needs Node.js).</summary>
    JsIpfs,

    /// <summary>No IPFS: each peer's embedded content-addressed store, blocks exchanged over gRPC.</summary>
    Embedded,
}

/// <summary>The IPFS mode for this run and why it was chosen; the AppHost logs both when it starts.</summary>
internal sealed record IpfsChoice(IpfsMode Mode, string Reason)
{
    public const string SettingName = "ipfs";

    public string Name => Mode switch
    {
        IpfsMode.Containers => "containers",
        IpfsMode.JsIpfs => "js-ipfs",
        _ => "embedded",
    };

    /// <summary>
    /// The <c>ipfs</c> setting (<c>--ipfs containers|js-ipfs|embedded</c>) forces a mode; unset or <c>auto</c>, the first that
    /// works here wins: containers when the container runtime answers, else js-ipfs when Node.js and the js-ipfs install in
    /// tools/ipfs are present, else the embedded store. Publishing always models containers (Kubo next to each peer).
    /// </summary>
    public static IpfsChoice Choose(IDistributedApplicationBuilder builder)
    {
        var setting = builder.Configuration[SettingName]?.Trim().ToLowerInvariant();
        var tools = JsIpfsTools.At(builder.AppHostDirectory);
        switch (setting)
        {
            case "containers":
                var runtime = ContainerRuntime.Probe(builder.Configuration);
                return new(IpfsMode.Containers, runtime.Healthy
                    ? $"forced by the '{SettingName}' setting; {runtime.Description}"
                    : $"forced by the '{SettingName}' setting, although {runtime.Description}: the IPFS containers will not start");
            case "js-ipfs":
                return new(IpfsMode.JsIpfs, $"forced by the '{SettingName}' setting; {tools.Describe()}");
            case "embedded":
                return new(IpfsMode.Embedded, $"forced by the '{SettingName}' setting");
            case null or "" or "auto":
                break;
            default:
                throw new InvalidOperationException($"'{SettingName}' is '{setting}'; expected auto, containers, js-ipfs or embedded.");
        }

        if (builder.ExecutionContext.IsPublishMode)
            return new(IpfsMode.Containers, "publishing: a deployment runs a Kubo node next to each peer");

        var probe = ContainerRuntime.Probe(builder.Configuration);
        if (probe.Healthy)
            return new(IpfsMode.Containers, probe.Description);
        if (tools.Ready)
            return new(IpfsMode.JsIpfs, $"{probe.Description}; {tools.Describe()}");
        return new(IpfsMode.Embedded, $"{probe.Description}; {tools.Describe()}");
    }
}

/// <summary>The container runtime Aspire will use (docker unless ASPIRE_CONTAINER_RUNTIME says otherwise), asked whether it is up.</summary>
internal sealed record ContainerRuntime(string Name, bool Healthy, string Description)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public static ContainerRuntime Probe(IConfiguration configuration)
    {
        var name = configuration["ASPIRE_CONTAINER_RUNTIME"] ?? configuration["DcpPublisher:ContainerRuntime"] ?? "docker";
        var (exitCode, output) = Command.Run(name, ["info", "--format", "{{.ServerVersion}}"], ProbeTimeout);
        return exitCode switch
        {
            null when output is "" => new(name, false, $"no container runtime: '{name}' is not on the PATH"),
            null => new(name, false, $"no healthy container runtime: `{name} info` {output}"),
            0 => new(name, true, $"container runtime '{name}' is healthy (`{name} info` answered, server {Command.FirstLine(output)})"),
            _ => new(name, false, $"no healthy container runtime: `{name} info` exited {exitCode} ({Command.FirstLine(output)})"),
        };
    }
}

/// <summary>The js-ipfs install in tools/ipfs: Node.js on the PATH, setup.sh, start-node.sh and node_modules.</summary>
internal sealed record JsIpfsTools(string Directory, string? NodeVersion, bool Installed)
{
    public string SetupScript => Path.Combine(Directory, "setup.sh");

    public string StartScript => Path.Combine(Directory, "start-node.sh");

    /// <summary>Node.js runs and <c>bash tools/ipfs/setup.sh</c> has installed js-ipfs.</summary>
    public bool Ready => NodeVersion is not null && Installed;

    public static JsIpfsTools At(string appHostDirectory)
    {
        var directory = Path.GetFullPath(Path.Combine(appHostDirectory, "..", "tools", "ipfs"));
        var (exitCode, output) = Command.Run("node", ["--version"], TimeSpan.FromSeconds(5));
        var installed = File.Exists(Path.Combine(directory, "node_modules", ".bin", "jsipfs"));
        return new(directory, exitCode == 0 ? Command.FirstLine(output) : null, installed);
    }

    public string Describe() => (NodeVersion, Installed) switch
    {
        (null, _) => "Node.js is not on the PATH (js-ipfs needs it)",
        (_, true) => $"Node.js {NodeVersion} and js-ipfs in {Directory}/node_modules are present",
        _ => $"Node.js {NodeVersion} is present but js-ipfs is not installed (run `bash tools/ipfs/setup.sh`, about 35 s, then restart to use js-ipfs)",
    };
}

/// <summary>Runs a short command and captures its output; a command that cannot start or times out has no exit code.</summary>
internal static class Command
{
    /// <returns>The exit code and stdout+stderr; (null, "") when the program is missing, (null, "timed out …") on timeout.</returns>
    public static (int? ExitCode, string Output) Run(string fileName, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return (null, $"timed out after {timeout.TotalSeconds:0} s");
            }
            return (process.ExitCode, (stdout.Result + stderr.Result).Trim());
        }
        catch (Win32Exception)
        {
            return (null, "");
        }
    }

    public static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
