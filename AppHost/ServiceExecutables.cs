using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlAspire.AppHost;

/// <summary>
/// Runs a service's built assembly with <c>dotnet</c> directly. Aspire's default runs each project resource through
/// <c>dotnet run --no-build</c>, which stays alive in front of the service: 151 MB each, sixteen of them beside sixteen
/// peers (tools/bench/apphost-footprint.sh, docs/benchmarks.md). The services are built in Release whatever the AppHost's
/// configuration (<c>ServiceConfiguration</c> in AppHost.csproj): a Debug assembly runs unoptimised, and the peers' training
/// and averaging loops are most of their work.
/// </summary>
internal static class ServiceExecutables
{
    private static readonly string Configuration = Metadata("ServiceConfiguration");
    private static readonly string TargetFramework = Metadata("ServiceTargetFramework");

    /// <summary>
    /// <c>dotnet bin/{ServiceConfiguration}/{tfm}/{Project}.dll</c> in the project's folder (its content root, as under
    /// <c>dotnet run</c>). Not when publishing, nor under an IDE's debug session (it launches projects itself).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithBuiltAssembly(this IResourceBuilder<ProjectResource> project)
    {
        if (!RunsItself(project.ApplicationBuilder))
            return project;
        var projectPath = project.Resource.GetProjectMetadata().ProjectPath;
        var folder = Path.GetDirectoryName(projectPath)!;
        var assembly = Path.Combine(folder, "bin", Configuration, TargetFramework, Path.GetFileNameWithoutExtension(projectPath) + ".dll");
        if (!File.Exists(assembly))
            throw new InvalidOperationException(
                $"{project.Resource.Name}: {assembly} is not built. Building the AppHost builds it (`dotnet build AppHost`), unless the build was skipped.");
        return project
            .WithAnnotation(new ExecutableAnnotation { Command = "dotnet", WorkingDirectory = folder }, ResourceAnnotationMutationBehavior.Replace)
            .WithArgs(assembly);
    }

    /// <summary>
    /// The peer's program as <paramref name="program"/> chose (<see cref="ChoosePeerProgram"/>): the native one in the
    /// project's folder as its content root, like <see cref="WithBuiltAssembly"/>; else the assembly.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPeerProgram(this IResourceBuilder<ProjectResource> project, PeerProgram program)
    {
        if (program.NativePath is not { } native)
            return project.WithBuiltAssembly();
        if (!RunsItself(project.ApplicationBuilder))
            return project;
        var folder = Path.GetDirectoryName(project.Resource.GetProjectMetadata().ProjectPath)!;
        return project.WithAnnotation(new ExecutableAnnotation { Command = native, WorkingDirectory = folder }, ResourceAnnotationMutationBehavior.Replace);
    }

    /// <summary>
    /// Chooses what the peers run (see <see cref="PeerProgram"/>), publishing their native program first when it is
    /// stale and this machine can (its output goes to this console), and logs the choice with the reason when the app
    /// starts. Only when the AppHost runs the services itself: a published model and an IDE's debug session launch them
    /// their own way.
    /// </summary>
    public static PeerProgram ChoosePeerProgram(this IDistributedApplicationBuilder builder, TopologySettings settings)
    {
        if (!RunsItself(builder))
            return new PeerProgram(null, "the AppHost does not run the services itself");
        var repository = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(builder.AppHostDirectory))!;
        var choice = PeerProgram.Choose(settings.NativePeers, Path.GetDirectoryName(new Projects.Peer().ProjectPath)!, TargetFramework,
            PeerProgram.WhyNotPublishableHere, () => PeerProgram.Publish(repository));
        builder.Eventing.Subscribe<BeforeStartEvent>((startEvent, _) =>
        {
            startEvent.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MlAspire.AppHost")
                .LogInformation("Peers run {Program} ({Reason})", choice.Native ? "their native program" : "dotnet Peer.dll", choice.Reason);
            return Task.CompletedTask;
        });
        return choice;
    }

    private static bool RunsItself(IDistributedApplicationBuilder builder) =>
        builder.ExecutionContext.IsRunMode && string.IsNullOrEmpty(builder.Configuration["DEBUG_SESSION_PORT"]);

    private static string Metadata(string key) =>
        typeof(ServiceExecutables).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"The AppHost assembly has no {key} metadata (AppHost.csproj writes it).");
}
