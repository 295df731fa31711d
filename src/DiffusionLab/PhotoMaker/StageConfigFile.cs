using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DiffusionLab.Core;
using DiffusionLab.Runs;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// Config files of the stages built on a trained text-to-image run: PhotoMaker training (<see cref="PhotoMakerConfig"/>),
/// DreamBooth tuning (<see cref="DreamBoothConfig"/>) and StoryDiffusion's motion stage (StoryDiffusion.MotionConfig, which
/// reads its files through this class). A top-level <c>"Stage"</c> ("photomaker", "dreambooth", "motion") marks
/// them, which is how <c>difflab train</c> tells one from a plain run config. A relative <c>BaseCheckpoint</c> in the
/// file is resolved against the repository root above the file (the nearest folder with DiffusionLab.slnx), or against
/// the file's own folder when it lies outside a repository, so one config works from the repository root, from
/// notebooks/ and from a test's temp folder; a value given with <c>--set</c> is a command-line path, resolved against
/// the current directory. After loading, BaseCheckpoint is absolute, or a shipped model's <c>zoo:NAME</c> as written.
/// </summary>
public static partial class StageConfigFile
{
    public const string PhotoMaker = "photomaker";
    public const string DreamBooth = "dreambooth";
    public const string RepositoryMarker = "DiffusionLab.slnx";

    /// <summary>
    /// The "Stage" a config file declares; null when it declares none (a plain training config) or is not a readable
    /// JSON object (the plain config reader then says what is wrong with it).
    /// </summary>
    public static string? StageOf(string path)
    {
        if (!File.Exists(path)) return null;
        JsonObject root;
        try { root = Parse(File.ReadAllText(path), path); }
        catch (ConfigException) { return null; }
        return root["Stage"] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            var other => throw new ConfigException($"config '{path}': key 'Stage': {other.ToJsonString()}, expected \"{PhotoMaker}\", \"{DreamBooth}\" or \"motion\""),
        };
    }

    /// <summary>The folder a relative BaseCheckpoint in <paramref name="configPath"/> is resolved against (see the type's summary).</summary>
    public static string BaseFolder(string configPath)
    {
        var folder = new DirectoryInfo(Path.GetDirectoryName(Path.GetFullPath(configPath))!);
        for (var dir = folder; dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, RepositoryMarker))) return dir.FullName;
        return folder.FullName;
    }

    /// <summary>
    /// A config file as its record's flat JSON, read from <paramref name="sections"/> (the one dialect), with BaseCheckpoint
    /// resolved, <paramref name="overrides"/> (Section.Key=Value) applied, and BaseCheckpoint made absolute.
    /// </summary>
    internal static JsonObject Load(string path, IEnumerable<string>? overrides, StageSections sections)
    {
        if (!File.Exists(path)) throw new ConfigException($"config '{path}': file not found");
        var root = Parse(File.ReadAllText(path), path);
        if (BaseOf(root) is { Length: > 0 } inFile && !Path.IsPathRooted(inFile) && !ModelZoo.IsZooName(inFile))
            root["BaseCheckpoint"] = Path.GetFullPath(Path.Combine(BaseFolder(path), inFile));
        foreach (var o in overrides ?? []) ConfigOverrides.Apply(root, o, p => ConfigOverrides.PropertyType(sections.Record, sections.PropertyPath(p)));
        if (BaseOf(root) is { Length: > 0 } value && !ModelZoo.IsZooName(value)) root["BaseCheckpoint"] = Path.GetFullPath(value);
        return sections.Flatten(root, path);
    }

    internal static JsonObject Parse(string json, string source)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new ConfigException($"config '{source}': not valid JSON ({e.Message.Split('\n')[0].Trim()})"); }
        return root as JsonObject ?? throw new ConfigException($"config '{source}': expected a JSON object at the top level");
    }

    /// <summary>Deserializes a config; an unknown key or a wrong type is a ConfigException naming the key.</summary>
    internal static T Read<T>(JsonObject root, string source) where T : new()
    {
        try { return root.Deserialize<T>(TrainConfigLoader.JsonOptions) ?? new T(); }
        catch (JsonException e)
        {
            var unmapped = UnmappedProperty().Match(e.Message);
            string key = (e.Path ?? "$").TrimStart('$').TrimStart('.');
            throw new ConfigException(unmapped.Success
                ? $"config '{source}': unknown key '{(key.EndsWith(unmapped.Groups[1].Value, StringComparison.Ordinal) ? key : (key.Length > 0 ? key + "." : "") + unmapped.Groups[1].Value)}'"
                : $"config '{source}': key '{key}': wrong type or value");
        }
    }

    private static string? BaseOf(JsonObject root) => root["BaseCheckpoint"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnmappedProperty();
}
