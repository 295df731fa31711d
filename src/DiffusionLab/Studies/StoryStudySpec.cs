using System.Text.Json;
using System.Text.Json.Nodes;
using DiffusionLab.Core;
using DiffusionLab.Runs;

namespace DiffusionLab.Studies;

/// <summary>
/// A consistent-story study (storydiffusion.md §5.1 at our scale): procedural CharacterWorld stories, each of one
/// character described by class word, shirt colour and headwear and shown in <see cref="PanelsPerStory"/> panels of
/// different expressions and places, rendered by every method (no CSA, CSA at each of <see cref="Rates"/>) with
/// every seed, then judged for character similarity across a story's panels and prompt fidelity. Read from
/// <c>experiments/&lt;study&gt;/story-study.json</c>.
/// </summary>
public sealed record StoryStudySpec
{
    public string Name { get; init; } = "";
    public string Description { get; init; } = "";
    /// <summary>Stories (one character each); the paper used 20 characters × 100 activities with GPT-4 prompts.</summary>
    public int Stories { get; init; } = 8;
    public int PanelsPerStory { get; init; } = 6;
    /// <summary>Seeds the stories' characters and actions.</summary>
    public long StorySeed { get; init; } = 0;
    /// <summary>Sampling seeds: every story is rendered once per seed and method.</summary>
    public long[] Seeds { get; init; } = [0, 1];
    /// <summary>CSA sampling rates compared with no CSA (paper: 0.3 fails, 0.5 default).</summary>
    public double[] Rates { get; init; } = [0.3, 0.5, 0.7];
    public int ReferencePanels { get; init; } = 2;
    /// <summary>DDIM steps and guidance: the paper's 50 and 5.0 (storydiffusion.md §5.1).</summary>
    public int Steps { get; init; } = 50;
    public double Guidance { get; init; } = 5.0;

    public static StoryStudySpec Load(string directory)
    {
        string path = Path.Combine(directory, "story-study.json");
        if (!File.Exists(path)) throw new ConfigException($"story study '{directory}': no story-study.json in it");
        StoryStudySpec spec;
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            spec = node.Deserialize<StoryStudySpec>(TrainConfigLoader.JsonOptions) ?? throw new ConfigException($"story study '{path}': empty");
        }
        catch (JsonException e) { throw new ConfigException($"story study '{path}': {e.Message.Split('\n')[0]}"); }
        if (spec.Stories < 1) throw new ConfigException($"story study '{path}': key 'Stories': expected at least 1");
        if (spec.PanelsPerStory <= spec.ReferencePanels) throw new ConfigException($"story study '{path}': key 'PanelsPerStory': expected more than ReferencePanels={spec.ReferencePanels}, so some panels read the bank");
        if (spec.ReferencePanels < 1) throw new ConfigException($"story study '{path}': key 'ReferencePanels': expected at least 1");
        if (spec.Seeds.Length == 0) throw new ConfigException($"story study '{path}': key 'Seeds': expected at least one seed");
        if (spec.Rates.Any(r => r is <= 0 or > 1)) throw new ConfigException($"story study '{path}': key 'Rates': expected values in (0, 1]");
        if (spec.Steps < 2) throw new ConfigException($"story study '{path}': key 'Steps': expected at least 2");
        return spec;
    }
}
