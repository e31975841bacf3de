using System.Reflection;

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
    /// The project's native program (<see cref="NativeProgram"/>), in the project's folder as its content root like
    /// <see cref="WithBuiltAssembly"/>. Refused when it is missing or older than a source of it.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithNativeProgram(this IResourceBuilder<ProjectResource> project)
    {
        if (!RunsItself(project.ApplicationBuilder))
            return project;
        var folder = Path.GetDirectoryName(project.Resource.GetProjectMetadata().ProjectPath)!;
        string program;
        try
        {
            program = NativeProgram.Current(folder, TargetFramework);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{project.Resource.Name} (--native-peers): {e.Message}", e);
        }
        return project.WithAnnotation(new ExecutableAnnotation { Command = program, WorkingDirectory = folder }, ResourceAnnotationMutationBehavior.Replace);
    }

    /// <summary><see cref="WithNativeProgram"/> when <paramref name="native"/>, else <see cref="WithBuiltAssembly"/>.</summary>
    public static IResourceBuilder<ProjectResource> WithBuiltProgram(this IResourceBuilder<ProjectResource> project, bool native) =>
        native ? project.WithNativeProgram() : project.WithBuiltAssembly();

    private static bool RunsItself(IDistributedApplicationBuilder builder) =>
        builder.ExecutionContext.IsRunMode && string.IsNullOrEmpty(builder.Configuration["DEBUG_SESSION_PORT"]);

    private static string Metadata(string key) =>
        typeof(ServiceExecutables).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"The AppHost assembly has no {key} metadata (AppHost.csproj writes it).");
}
