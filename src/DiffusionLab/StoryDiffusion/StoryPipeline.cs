using DiffusionLab.Mdt;
using DiffusionLab.Pipelines;
using DiffusionLab.Runs;
using DiffusionLab.Sampling;
using DiffusionLab.Text;
using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// A story to panel images with consistent characters (storydiffusion.md §3.1 order): for each character its first
/// <see cref="StoryRenderOptions.ReferencePanels"/> panels are generated together, writing the character's bank;
/// every other panel is then generated on its own, reading the bank of its character, so memory does not grow with
/// the story; [NC] panels are plain. A character whose bank is given (a loaded character file) has no reference
/// panels: all its panels read. With <see cref="StoryRenderOptions.Consistent"/> off every panel is plain.
/// </summary>
public sealed class StoryPipeline(ConsistentStorySampler sampler, WordTokenizer tokenizer, int maxLength)
{
    /// <summary>
    /// The pipeline over a trained text-to-image run: its own diffusion and clipping, DDIM (η = 0) with
    /// <paramref name="steps"/> steps and constant guidance <paramref name="guidance"/> on the empty prompt.
    /// </summary>
    public static StoryPipeline FromRun(TrainedModel trained, int steps, double guidance, ConsistentAttentionConfig attention)
    {
        ArgumentNullException.ThrowIfNull(trained);
        if (trained.Model is not MaskedDiffusionTransformer || trained.Tokenizer is not { } tokenizer)
            throw new ArgumentException($"run '{trained.RunDirectory ?? trained.CheckpointPath}': expected a text-to-image MDT run (a T2I preset trained on captions)");
        var c = trained.Config;
        var sampling = c.Sampling with { Sampler = SamplerKind.Ddim, Respacing = $"ddim{steps}", Eta = 0, GuidanceScale = guidance, GuidancePower = null, GuidedChannels = GuidedChannels.All };
        return new StoryPipeline(new ConsistentStorySampler(new SamplingPipeline(trained.Model, c with { Sampling = sampling }), attention), tokenizer, c.Model.TextMaxLength);
    }

    public ConsistentStorySampler Sampler => sampler;

    public StoryGeneration Generate(Story story, StoryRenderOptions options, IReadOnlyDictionary<string, CharacterBank>? givenBanks = null)
    {
        ArgumentNullException.ThrowIfNull(story);
        options.Validate();
        foreach (var panel in story.Panels) tokenizer.CheckKnown(panel.Prompt, $"story '{story.Source}' line {panel.Line}: prompt");
        givenBanks ??= new Dictionary<string, CharacterBank>();
        foreach (var name in givenBanks.Keys)
            if (!story.Characters.Any(c => c.Name == name)) throw new ArgumentException($"character file for '{name}': the story '{story.Source}' has no such character");

        var images = new Tensor?[story.Panels.Count];
        var banks = new Dictionary<string, CharacterBank>(givenBanks);
        var written = new List<CharacterBank>();
        var references = new Dictionary<string, IReadOnlyList<int>>();
        try
        {
            if (options.Consistent)
                foreach (var character in story.Characters.Where(c => !banks.ContainsKey(c.Name)))
                {
                    var refs = story.PanelsOf(character.Name).Take(options.ReferencePanels).Select(p => p.Index).ToList();
                    if (refs.Count == 0) continue;
                    var bank = new CharacterBank(character.Name);
                    written.Add(bank);
                    banks[character.Name] = bank;
                    references[character.Name] = refs;
                    var generated = sampler.GenerateReferences(Ids(story, refs), refs.Select((_, j) => options.Seed + j).ToList(), bank);
                    for (int j = 0; j < refs.Count; j++) images[refs[j]] = generated[j].unsqueeze(0).DetachFromDisposeScope();
                    generated.Dispose();
                }
            foreach (var panel in story.Panels.Where(p => images[p.Index] is null))
            {
                long seed = options.PanelsReuseFirstSeed ? options.Seed : options.Seed + panel.Index;
                var ids = Ids(story, [panel.Index]);
                images[panel.Index] = options.Consistent && panel.Character is { } name && banks.TryGetValue(name, out var bank)
                    ? sampler.GeneratePanels(ids, [seed], [bank]).DetachFromDisposeScope()
                    : sampler.GeneratePlain(ids, [seed]).DetachFromDisposeScope();
            }
            var panels = cat(images.Select(i => i!).ToList(), 0).DetachFromDisposeScope();
            foreach (var i in images) i?.Dispose();
            return new StoryGeneration(panels, banks, references, written);
        }
        catch
        {
            foreach (var i in images) i?.Dispose();
            foreach (var b in written) b.Dispose();
            throw;
        }
    }

    private Tensor Ids(Story story, IReadOnlyList<int> panels) =>
        tokenizer.EncodeBatch(panels.Select(i => story.Panels[i].Prompt).ToList(), maxLength);
}
