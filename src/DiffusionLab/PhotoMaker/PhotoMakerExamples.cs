using DiffusionLab.Data.World;
using DiffusionLab.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// Builds PhotoMaker training batches from CharacterWorld targets (photomaker.md §2.3): per target 1–4 OTHER images
/// of its identity as references (or, for the single-image baseline, augmented copies of the target), each
/// optionally degraded and with its background noise-filled (§1.1), and the caption with the trigger after the class
/// word, its class token repeated once per reference. Every random choice comes from the given generator, in a fixed
/// order, so a saved generator state replays the batch.
/// </summary>
internal sealed class PhotoMakerExamples(CharacterWorldDataset dataset, WordTokenizer tokenizer, int maxLength, PhotoMakerConfig config)
{
    private sealed record ReferenceDraw(long Index, ImageDegradation? Degradation, long Seed, bool Flip);

    public PhotoMakerBatch Draw(IReadOnlyList<long> targets, Generator generator)
    {
        var perRow = targets.Select(index => DrawReferences(index, generator)).ToList();
        using var rendered = dataset.RenderBatch(targets);
        var prompts = new List<string>();
        var inputs = new List<ClassTokenInput>();
        for (int r = 0; r < targets.Count; r++)
        {
            var prompt = CaptionTrigger.Insert(rendered.Captions[r], rendered.ClassWordSpans[r], config.Sampling.Trigger);
            int copies = config.IdEmbedding == IdEmbeddingMode.Stacked ? perRow[r].Count : 1;
            prompts.Add(prompt);
            inputs.Add(TriggerPrompt.Parse(prompt, config.Sampling.Trigger).Encode(tokenizer, copies, maxLength, PhotoMakerModel.TokensPerImage));
        }
        var references = RenderReferences(perRow, generator);
        return new PhotoMakerBatch(rendered.Images.clone(), rendered.Masks.clone(), prompts, ClassTokenBatch.From(inputs), references);
    }

    private List<ReferenceDraw> DrawReferences(long index, Generator generator)
    {
        int n = config.MinReferences + (int)Int(generator, config.MaxReferences - config.MinReferences + 1);
        bool single = config.References == ReferenceSource.SingleImage;
        long[] indices = single ? [.. Enumerable.Repeat(index, n)] : dataset.ReferenceIndices(index, n, Int(generator, long.MaxValue));
        var draws = new List<ReferenceDraw>(n);
        foreach (var i in indices)
        {
            // The single-image baseline makes its copies differ by augmentation (PAPv1 Tab. 2b), so each copy is degraded.
            bool degrade = single || Uniform(generator) < config.DegradationProbability;
            ImageDegradation? degradation = null;
            long seed = 0;
            if (degrade)
            {
                int factor = new[] { 1, 2, 4 }[Int(generator, 3)];
                degradation = new ImageDegradation(BlurSigma: 1.5 * Uniform(generator), NoiseStd: 12 * Uniform(generator), DownsampleFactor: factor);
                seed = Int(generator, long.MaxValue);
            }
            bool flip = single && Uniform(generator) < 0.5;
            draws.Add(new ReferenceDraw(i, degradation, seed, flip));
        }
        return draws;
    }

    private List<ReferenceStack> RenderReferences(List<List<ReferenceDraw>> perRow, Generator generator)
    {
        using var scope = NewDisposeScope();
        var images = new List<Tensor>();
        var masks = new List<Tensor>();
        foreach (var draw in perRow.SelectMany(r => r))
        {
            var image = dataset.Get(draw.Index);
            if (draw.Degradation is { } d) image = dataset.World.Degrade(image, d, draw.Seed);
            var pixels = image.ToTensor();                                            // (3, H, W)
            var mask = image.MaskTensor();                                            // (1, H, W)
            if (draw.Flip) (pixels, mask) = (pixels.flip(2), mask.flip(2));
            images.Add(pixels);
            masks.Add(mask);
        }
        var all = stack(images);                                                      // (M, 3, H, W)
        if (config.NoiseBackground) all = ReferenceMasking.FillOutsideMask(all, stack(masks), generator);
        var stacks = new List<ReferenceStack>();
        long start = 0;
        foreach (var row in perRow)
        {
            stacks.Add(new ReferenceStack(all.narrow(0, start, row.Count)));
            start += row.Count;
        }
        return stacks;
    }

    private static long Int(Generator generator, long high)
    {
        using var t = torch.randint(0, high, [1], dtype: ScalarType.Int64, generator: generator);
        return t.item<long>();
    }

    private static double Uniform(Generator generator)
    {
        using var t = torch.rand([1], dtype: ScalarType.Float64, generator: generator);
        return t.item<double>();
    }
}
