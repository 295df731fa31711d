using System.Text.RegularExpressions;
using DiffusionLab.Core;

namespace DiffusionLab.Runs;

/// <summary>
/// The shipped models: one <see cref="ShippedModel"/> folder per name under a models folder, loaded wherever a run
/// folder or checkpoint goes by <c>zoo:NAME</c> (<see cref="RunFolder.CheckpointOf"/> is the one place that resolves
/// it). The default folder is the <c>DIFFLAB_MODELS</c> environment variable when set, else <c>models/</c> of the
/// repository the library was built in, found by walking up from the assembly's folder to the one holding
/// DiffusionLab.slnx. All models together stay within <see cref="BudgetBytes"/> (models/README.md says why).
/// </summary>
public sealed partial class ModelZoo(string directory)
{
    public const string Prefix = "zoo:";
    public const string DirectoryVariable = "DIFFLAB_MODELS";

    /// <summary>20 MB for all shipped models: the tracked tree must stay well under the GPU transport's 64 MiB.</summary>
    public const long BudgetBytes = 20_000_000;

    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>The zoo in <see cref="DefaultDirectory"/>.</summary>
    public static ModelZoo Default() => new(DefaultDirectory());

    /// <summary><c>DIFFLAB_MODELS</c> when set, else the repository's models/ (<see cref="RepositoryDirectory"/>), else ./models.</summary>
    public static string DefaultDirectory() =>
        Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } set ? set : RepositoryDirectory() ?? Path.GetFullPath("models");

    /// <summary>models/ of the repository holding the running assembly (null when it does not run from a checkout).</summary>
    public static string? RepositoryDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DiffusionLab.slnx"))) return Path.Combine(dir.FullName, "models");
        return null;
    }

    public static bool IsZooName(string value) => value.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The shipped models, by name (folders without a model.safetensors are not models: README, scratch).</summary>
    public IReadOnlyList<ShippedModel> Models() => System.IO.Directory.Exists(Directory)
        ? System.IO.Directory.GetDirectories(Directory).Select(d => new ShippedModel(Path.GetFileName(d), d))
            .Where(m => File.Exists(m.WeightsFile)).OrderBy(m => m.Name, StringComparer.Ordinal).ToList()
        : [];

    /// <summary>The model named <c>zoo:NAME</c> (or NAME), or a one-line ConfigException listing the available names.</summary>
    public ShippedModel Find(string name)
    {
        string bare = IsZooName(name) ? name[Prefix.Length..] : name;
        var found = Models().FirstOrDefault(m => m.Name == bare);
        if (found is not null) return found;
        var names = Models().Select(m => m.ZooName).ToList();
        throw new ConfigException($"{Prefix}{bare}: no shipped model of that name in {Directory}; available: {(names.Count == 0 ? "none" : string.Join(", ", names))}");
    }

    /// <summary>The folder a new model named <paramref name="name"/> goes to, or an ArgumentException for a name that is not lower-case words.</summary>
    public ShippedModel Place(string name)
    {
        if (!NamePattern().IsMatch(name))
            throw new ArgumentException($"model name '{name}': expected lower-case letters, digits, '-', '.' or '_' (e.g. mnist-mdtv2), starting with a letter or digit");
        return new ShippedModel(name, Path.Combine(Directory, name));
    }

    /// <summary>Bytes of all shipped models together.</summary>
    public long TotalBytes() => Models().Sum(m => m.SizeBytes);

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]*$")]
    private static partial Regex NamePattern();
}
