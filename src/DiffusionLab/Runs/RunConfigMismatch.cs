using System.Text.Json.Nodes;
using DiffusionLab.Core;

namespace DiffusionLab.Runs;

/// <summary>
/// Refuses a start whose config differs from the config.json of the run folder it would train into: the one line
/// names the first differing key and says how to resume the run instead, or where the new run goes.
/// </summary>
public static class RunConfigMismatch
{
    /// <summary>The first key whose value differs, as "Section.Key: A in the run, B now"; null when the two are equal.</summary>
    public static string? FirstDifference(JsonNode? existing, JsonNode? requested, string key = "")
    {
        if (existing is JsonObject a && requested is JsonObject b)
        {
            foreach (var name in a.Select(p => p.Key).Concat(b.Select(p => p.Key)).Distinct())
                if (FirstDifference(a[name], b[name], key.Length == 0 ? name : $"{key}.{name}") is { } found) return found;
            return null;
        }
        if (JsonNode.DeepEquals(existing, requested)) return null;
        return $"{(key.Length == 0 ? "the config" : key)}: {Show(existing)} in the run, {Show(requested)} now";
    }

    /// <summary>
    /// The refusal for <paramref name="run"/>: its config.json holds <paramref name="existing"/>, the start asked for
    /// <paramref name="requested"/> (both with the keys that may change on resume already equalised).
    /// </summary>
    public static ConfigException Refusal(RunFolder run, JsonNode existing, JsonNode requested, string resumableKey)
    {
        string difference = FirstDifference(existing, requested) ?? "the config";
        string resume = TrainingCheckpoint.Latest(run.Path) is null
            ? "it has no checkpoint yet, so there is nothing to resume: remove the folder to start it over with this config, or train into another output folder"
            : $"to resume it, train with its own config ({run.ConfigFile}), adding --set {resumableKey}=N to train it further; for a new run, choose another output folder";
        return new ConfigException($"run '{run.Path}': exists with a different config ({difference}); {resume}");
    }

    private static string Show(JsonNode? value) => value is null ? "null" : value.ToJsonString();
}
