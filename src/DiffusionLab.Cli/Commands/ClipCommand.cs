using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DiffusionLab.Imaging;
using DiffusionLab.StoryDiffusion;
using static TorchSharp.torch;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab clip START.png END.png --prompt TEXT --run MOTION_RUN --out clip.gif`: StoryDiffusion's transition video
/// (storydiffusion.md §4) between two keyframes: the semantic motion predictor's per-frame embeddings read by the clip
/// generator (<see cref="TransitionPipeline"/>), written as an animated GIF or WebP of L frames.
/// </summary>
public static class ClipCommand
{
    private static readonly string[] Modes = ["predicted", "interpolated", "text-only"];

    public static Command Definition()
    {
        var start = new Argument<string>("START.png") { Description = "the first keyframe" };
        var end = new Argument<string>("END.png") { Description = "the last keyframe (the same size as the first)" };
        var prompt = new Option<string>("--prompt") { HelpName = "TEXT", Description = "what the clip shows, in the base model's caption words: \"a photo of a man in a red shirt , on the beach\"", Required = true };
        var run = new Option<string>("--run") { HelpName = "MOTION_RUN", Description = "a motion run folder or checkpoint (`difflab train experiments/motion-characterworld/motion.json` writes one)", Required = true };
        var output = new Option<string>("--out") { HelpName = "CLIP.gif", Description = "the clip: .gif or .webp", Required = true };
        var frames = CliOptions.OptionalInt("--frames", "L", "frames of the clip, keyframes included (default: the L the run was trained with)", min: 2);
        var steps = CliOptions.Int("--steps", "N", "DDIM steps", 50).Check(n => n >= 2, n => $"option --steps {n}: expected at least 2 DDIM steps");
        var guidance = CliOptions.Number("--guidance", "G", "the classifier-free guidance scale (paper: 7.5)", 7.5, 0, 100);
        var seed = CliOptions.Long("--seed", "S", "frame i starts from the noise of seed S + i", 0);
        var mode = CliOptions.Choice("--mode", "what the frames read beside the text: the predictor's embeddings, the interpolated ones, or none (default: predicted if the run has a predictor, else interpolated)", Modes);
        var delay = CliOptions.Int("--delay", "MS", "milliseconds per frame", 120);
        var device = DeviceOption.Create();
        var command = new Command("clip", "StoryDiffusion's transition: a clip between two keyframes (semantic motion predictor + clip generator), as an animated GIF or WebP")
            { start, end, prompt, run, output, frames, steps, guidance, seed, mode, delay, device };
        command.SetAction(parse => Run(parse.GetRequiredValue(start), parse.GetRequiredValue(end), parse.GetRequiredValue(prompt), parse.GetRequiredValue(run),
            parse.GetRequiredValue(output), parse.GetValue(frames), parse.GetValue(steps), parse.GetValue(guidance), parse.GetValue(seed), ModeOf(parse.GetValue(mode)),
            parse.GetValue(delay), DeviceOption.Parse(parse.GetValue(device)), parse.InvocationConfiguration.Output));
        return command;
    }

    /// <summary>null: the model's own (<see cref="MotionModel.DefaultConditioning"/>).</summary>
    public static KeyframeConditioning? ModeOf(string? word) => word switch
    {
        null => null,
        "interpolated" => KeyframeConditioning.Interpolated,
        "text-only" => KeyframeConditioning.TextOnly,
        _ => KeyframeConditioning.Predicted,
    };

    /// <param name="frames">L; null: the run's.</param>
    public static int Run(string startPath, string endPath, string prompt, string run, string output, int? frames, int steps, double guidance, long seed,
        KeyframeConditioning? mode, int delayMs, Device device, TextWriter stdout)
    {
        AnimatedImageFile.FormatOf(output); // a wrong extension fails before any work
        if (!File.Exists(startPath)) throw new FileNotFoundException($"keyframe '{startPath}': not found", startPath);
        if (!File.Exists(endPath)) throw new FileNotFoundException($"keyframe '{endPath}': not found", endPath);
        using var pipeline = TransitionPipeline.Load(run, device);
        pipeline.Tokenizer.CheckKnown(prompt, "option --prompt");
        var (start, end) = TransitionPipeline.LoadKeyframes(startPath, endPath, pipeline.ImageSize);
        var clock = Stopwatch.StartNew();
        using var clip = pipeline.Generate(start, end, [prompt], seed, new ClipSampling { Steps = steps, GuidanceScale = guidance }, mode, frames);
        double seconds = clock.Elapsed.TotalSeconds;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        AnimatedImageFile.Save(clip[0], output, new AnimationSettings { FrameDelay = TimeSpan.FromMilliseconds(delayMs) });
        int l = (int)clip.shape[1];
        stdout.WriteLine($"{l} frames of {pipeline.ImageSize}x{pipeline.ImageSize} ({mode ?? pipeline.Model.DefaultConditioning} keyframe embeddings{(pipeline.Step is { } s ? $", motion run step {s}" : "")}; " +
                         $"DDIM {steps}, guidance {guidance.ToString(CultureInfo.InvariantCulture)}) in {seconds:F1} s");
        stdout.WriteLine($"wrote {output}");
        start.Dispose();
        end.Dispose();
        return 0;
    }
}
