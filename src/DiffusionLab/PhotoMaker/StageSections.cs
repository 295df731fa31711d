using System.Text.Json.Nodes;
using DiffusionLab.Core;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// The one config dialect, for a stage trained on a text-to-image run: the sections a run config has (Training,
/// Optimizer, Diffusion, Sampling) hold what they hold there, the stage's own keys live in a section named after it
/// (e.g. "PhotoMaker.EncoderLearningRate"), and "Stage" and "BaseCheckpoint" stay at the top. The stage's record stays
/// flat in code; this maps its keys to and from their sections. Configs written before the dialect (every key at the
/// top) are read where they were stored (run folders, checkpoints); a file written by hand must use sections.
/// </summary>
internal sealed record StageSections(Type Record, string StageSection, IReadOnlyDictionary<string, string> SharedKeys, IReadOnlySet<string> Properties)
{
    /// <summary>The sections of the stage record <typeparamref name="T"/>: <paramref name="sharedKeys"/> maps its keys that live in a run config's section to it.</summary>
    public static StageSections For<T>(string stageSection, IReadOnlyDictionary<string, string> sharedKeys) =>
        new(typeof(T), stageSection, sharedKeys, typeof(T).GetProperties().Where(p => p.CanWrite).Select(p => p.Name).ToHashSet());

    /// <summary>Keys that stay at the top level of every stage config.</summary>
    private static readonly HashSet<string> TopLevel = ["Stage", "BaseCheckpoint"];

    /// <summary>The section of <paramref name="key"/> (a property of the flat record); null for a top-level key.</summary>
    public string? SectionOf(string key) => TopLevel.Contains(key) ? null : key == "Sampling" ? null : SharedKeys.GetValueOrDefault(key) ?? StageSection;

    private bool IsSection(string name) => name == StageSection || SharedKeys.Values.Contains(name);

    /// <summary>Whether <paramref name="root"/> is a config stored before the dialect: a stage key at the top level and no section.</summary>
    public bool IsFlat(JsonObject root) =>
        root.Any(p => !TopLevel.Contains(p.Key) && p.Key != "Sampling" && !IsSection(p.Key)) && !root.Any(p => IsSection(p.Key));

    /// <summary>A sectioned config as the flat record's JSON; a key outside its section is an error naming where it belongs.</summary>
    public JsonObject Flatten(JsonObject root, string source)
    {
        var flat = new JsonObject();
        foreach (var (key, value) in root)
        {
            if (TopLevel.Contains(key) || key == "Sampling") { flat[key] = value?.DeepClone(); continue; }
            if (!IsSection(key)) throw new ConfigException($"config '{source}': {Misplaced(key, key)}");
            if (value is not JsonObject entries) throw new ConfigException($"config '{source}': key '{key}': expected a section (a JSON object)");
            foreach (var (inner, v) in entries)
            {
                if (!Properties.Contains(inner) || SectionOf(inner) != key) throw new ConfigException($"config '{source}': {Misplaced($"{key}.{inner}", inner)}");
                flat[inner] = v?.DeepClone();
            }
        }
        return flat;
    }

    private string Misplaced(string written, string key) =>
        Properties.Contains(key) && SectionOf(key) is { } section ? $"key '{written}': belongs in section '{section}' ('{section}.{key}')" : $"unknown key '{written}'";

    /// <summary>The flat record's JSON in sections (what run folders and checkpoints store).</summary>
    public JsonObject Sectioned(JsonObject flat)
    {
        var root = new JsonObject();
        foreach (var (key, value) in flat)
        {
            if (SectionOf(key) is not { } section) { root[key] = value?.DeepClone(); continue; }
            if (root[section] is not JsonObject entries) root[section] = entries = new JsonObject();
            entries[key] = value?.DeepClone();
        }
        return root;
    }

    /// <summary>The flat record's property path of an override's path ("Training.Steps" → "Steps"), to type its value.</summary>
    public string[] PropertyPath(string[] path) => path.Length > 1 && IsSection(path[0]) ? path[1..] : path;
}
