using System.Diagnostics;
using System.Globalization;
using DiffusionLab.Imaging;
using DiffusionLab.PhotoMaker;
using static TorchSharp.torch;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab personalize --run PM_RUN --refs A.png B.png ... --prompt "a man img ..."`: PhotoMaker inference
/// (<see cref="PhotoMakerPipeline"/>; photomaker.md §3) from reference photos, one generation per seed, written as a
/// grid with one row per seed: the references, then that seed's generation. References of several people mix their
/// identities (§3.3), each reference's ID token scaled by its --weights coefficient.
/// </summary>
public static class PersonalizeCommand
{
    public const string Usage = "difflab personalize --run PM_RUN|CHECKPOINT --refs A.png B.png ... --prompt \"a man img wearing a crown , on the beach\" " +
                                "[--seeds 0,1,2,3] [--steps 50] [--guidance 5] [--style-strength 20] [--weights 1,1,0.5,...] [--out GRID.png] [--scale K] [--device D]";

    public static int Run(string[] argv, TextWriter stdout)
    {
        var args = new Arguments(argv, new HashSet<string>(), new HashSet<string> { "refs" });
        if (args.Positional.Count > 0)
            throw new UsageException($"personalize: unexpected argument '{args.Positional[0]}'; expected `{Usage}`");
        string run = args.Option("run") ?? throw new UsageException("personalize: expected --run PM_RUN (a PhotoMaker run folder or checkpoint, as `difflab train experiments/photomaker-characterworld/photomaker.json` writes)");
        var refs = args.All("refs");
        string? prompt = args.Option("prompt");
        var seeds = args.Longs("seeds") ?? [0, 1, 2, 3];
        int steps = args.Int("steps", 50);
        double guidance = args.Double("guidance", 5.0, 0, 100);
        double styleStrength = args.Double("style-strength", 20, 0, 100);
        var weights = args.Doubles("weights");
        string? output = args.Option("out");
        int scale = args.Int("scale", 1);
        var device = DeviceOption.Parse(args.Option("device"));
        args.RejectUnknown();
        if (refs.Count == 0)
            throw new UsageException("personalize: expected --refs A.png B.png ... (images of the person; `difflab world refs --identity ID --held-out --out DIR` writes some)");
        if (prompt is null) throw new UsageException("personalize: expected --prompt \"a photo of a man img ...\" (the trigger word 'img' right after the class word)");
        if (steps < 2) throw new UsageException($"option --steps {steps}: expected at least 2 DDIM steps");
        if (weights is not null && weights.Count != refs.Count)
            throw new UsageException($"option --weights: {weights.Count} values for {refs.Count} reference images; give one coefficient per --refs image");
        foreach (var file in refs)
            if (!File.Exists(file)) throw new FileNotFoundException($"reference image '{file}': not found", file);

        using var pipeline = PhotoMakerPipeline.Load(run, device);
        var sampling = pipeline.Model.Config.Sampling with { Steps = steps, GuidanceScale = guidance, StyleStrengthPercent = styleStrength };
        pipeline.ParsePrompt(prompt, sampling.Trigger); // trigger, class word and vocabulary, before any image is read
        using var references = PhotoMakerPipeline.LoadReferences(refs, pipeline.ImageSize, weights);

        var clock = Stopwatch.StartNew();
        using var images = pipeline.Generate(prompt, references, seeds, sampling);
        double seconds = clock.Elapsed.TotalSeconds;

        output ??= Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(pipeline.CheckpointPath!)))!, "samples", $"personalize-seed{seeds[0]}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        using (var scope = NewDisposeScope())
        {
            // One row per seed: the references, then that seed's generation.
            var rows = Enumerable.Range(0, seeds.Count).Select(i => cat([references.Images, images[i].unsqueeze(0).cpu()], 0)).ToArray();
            ImageGrid.Save(cat(rows, 0), references.Count + 1, output, scale: scale);
        }
        string mixing = references.IsUnweighted ? "" : $", weights {string.Join(",", references.Weights.Select(w => w.ToString(CultureInfo.InvariantCulture)))}";
        stdout.WriteLine($"{seeds.Count} generation{(seeds.Count == 1 ? "" : "s")} of \"{prompt}\" from {references.Count} reference{(references.Count == 1 ? "" : "s")}{mixing} " +
                         $"(PhotoMaker {pipeline.Model.Mode}{(pipeline.Step is { } s ? $", step {s}" : "")}; DDIM {steps}, guidance {guidance.ToString(CultureInfo.InvariantCulture)}, " +
                         $"style strength {styleStrength.ToString(CultureInfo.InvariantCulture)} %: text-only steps 0..{sampling.StartMergeStep}) in {seconds:F1} s");
        stdout.WriteLine($"wrote {output} (one row per seed {string.Join(",", seeds)}: the references, then the generation)");
        return 0;
    }
}
