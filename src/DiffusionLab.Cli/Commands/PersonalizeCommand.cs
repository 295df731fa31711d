using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DiffusionLab.Imaging;
using DiffusionLab.PhotoMaker;
using DiffusionLab.Runs;
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
    private static readonly IReadOnlyList<long> DefaultSeeds = [0, 1, 2, 3];

    public static Command Definition()
    {
        var run = new Option<string>("--run") { HelpName = "PM_RUN|CHECKPOINT", Description = "a PhotoMaker run folder or checkpoint (`difflab train experiments/photomaker-characterworld/photomaker.json` writes one), or a shipped one (zoo:NAME)", Required = true };
        var refs = new Option<string[]>("--refs")
        {
            HelpName = "A.png B.png ...", AllowMultipleArgumentsPerToken = true, Required = true,
            Description = "reference images of the person (or of several people, to mix them); `difflab world refs --identity ID --held-out --out DIR` writes some",
        };
        var prompt = new Option<string>("--prompt") { HelpName = "TEXT", Description = "the prompt, with the trigger word 'img' right after the class word: \"a photo of a man img wearing a crown , on the beach\"", Required = true };
        var seeds = CliOptions.Integers("--seeds", "0,1,...", $"one generation per seed, one grid row each [default: {string.Join(",", DefaultSeeds)}]");
        var steps = CliOptions.Int("--steps", "N", "DDIM steps", 50).Check(n => n >= 2, n => $"option --steps {n}: expected at least 2 DDIM steps");
        var guidance = CliOptions.Number("--guidance", "G", "the classifier-free guidance scale", 5.0, 0, 100);
        var styleStrength = CliOptions.Number("--style-strength", "PERCENT", "the share of the first steps drawn from the text alone, before the ID tokens merge in", 20, 0, 100);
        var weights = CliOptions.Numbers("--weights", "1,1,0.5,...", "one coefficient per reference image, scaling its ID token (identity mixing; default: all 1)");
        var output = new Option<string>("--out") { HelpName = "GRID.png", Description = "the grid (default: RUN/samples/personalize-seedS.png)" };
        var scale = CliOptions.Int("--scale", "K", "upscale the grid K times (nearest neighbour)", 1);
        var device = DeviceOption.Create();
        var command = new Command("personalize", "PhotoMaker: generate a person from reference photos and a prompt, one generation per seed (a grid row: the references, then it)")
            { run, refs, prompt, seeds, steps, guidance, styleStrength, weights, output, scale, device };
        command.SetAction(parse => Run(parse.GetRequiredValue(run), parse.GetRequiredValue(refs), parse.GetRequiredValue(prompt), parse.GetValue(seeds) ?? DefaultSeeds, parse.GetValue(steps),
            parse.GetValue(guidance), parse.GetValue(styleStrength), parse.GetValue(weights), parse.GetValue(output), parse.GetValue(scale), DeviceOption.Parse(parse.GetValue(device)),
            parse.InvocationConfiguration.Output));
        return command;
    }

    /// <param name="weights">One coefficient per reference; null: all 1.</param>
    /// <param name="output">The grid; null: RUN/samples/personalize-seedS.png.</param>
    public static int Run(string run, IReadOnlyList<string> refs, string prompt, IReadOnlyList<long> seeds, int steps, double guidance, double styleStrength,
        IReadOnlyList<double>? weights, string? output, int scale, Device device, TextWriter stdout)
    {
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

        // A shipped model's folder is the repository's: its samples go to the current folder instead.
        output ??= ShippedWeights.IsShippedWeights(pipeline.CheckpointPath!)
            ? Path.Combine("samples", $"{Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(pipeline.CheckpointPath!)))}-personalize-seed{seeds[0]}.png")
            : Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(pipeline.CheckpointPath!)))!, "samples", $"personalize-seed{seeds[0]}.png");
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
