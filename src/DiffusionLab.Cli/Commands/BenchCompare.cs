using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using DiffusionLab.Core;
using DiffusionLab.Runs;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab bench compare MODEL --batch B [--what sample]`: our training step and the official PyTorch code's
/// (../shared/peers/bench_official.py, run, never copied) on the same shapes, batch, precision, threads and step
/// (AdamW 1e-4, no clip, EMA, MDT's Min-SNR-5 and both branches; `bench train --recipe peer`), each side in a
/// fresh process so its peak memory is its own, alternating sides over --rounds so a drift of the machine hits
/// both. One JSON line per side and round, then a summary: ours ÷ official images/s (medians) and each peak memory.
/// `--what sample`: our `bench sample` (DDIM, guidance as one [cond; uncond] batch) against the official reverse loop
/// (`ddim_sample_loop` over `forward_with_cfg`, timed by results/bench/peer_sampling.py through the official builder),
/// images/s of both counted at 250 steps.
/// </summary>
internal static class BenchCompare
{
    public static Command Definition()
    {
        var model = BenchCommand.PresetArgument("a model preset both codes know, e.g. DiT-S/2 or MDTv2-S/2");
        var batch = CliOptions.RequiredInt("--batch", "B", "the batch size");
        var threads = CliOptions.OptionalInt("--threads", "T", "CPU threads of both sides (default: 2 on the CPU, libtorch's default on CUDA; 0: libtorch's default)", min: 0);
        var precision = CliOptions.Choice("--precision", "the training precision of both sides", TrainingPrecision.Fp32);
        var steps = CliOptions.Int("--steps", "N", "measured steps per side and round", 10);
        var warmup = CliOptions.Int("--warmup", "W", "steps before the measurement", 3, min: 0);
        var rounds = CliOptions.Int("--rounds", "R", "rounds; the sides alternate which goes first", 2);
        var inChannels = CliOptions.OptionalInt("--in-channels", "C", "override the preset's input channels (default: the preset's)");
        var inputSize = CliOptions.OptionalInt("--input-size", "S", "override the preset's input side (default: the preset's)");
        var numClasses = CliOptions.OptionalInt("--num-classes", "K", "override the preset's class count (default: the preset's)");
        var what = CliOptions.Choice("--what", "train: a training step; sample: DDIM sampling steps with guidance", ["train", "sample"], "train");
        var guidance = CliOptions.Number("--guidance", "W", "sample: the guidance scale of both sides", 4.0, 1, 100);
        var peerSampling = new Option<string>("--peer-sampling") { HelpName = "PY", Description = "sample: the script that times the official reverse loop", DefaultValueFactory = _ => Path.Combine("results", "bench", "peer_sampling.py") };
        // Run from the repository root, the official code's folder is ../shared/peers beside the checkout.
        var peers = new Option<string>("--peers") { HelpName = "DIR", Description = "the official code's folder, with bench_official.py", DefaultValueFactory = _ => Path.Combine("..", "shared", "peers") };
        var python = new Option<string>("--python") { HelpName = "PY", Description = "the Python that runs the official code", DefaultValueFactory = _ => "/usr/bin/python3" };
        var peerLibrary = new Option<string>("--peer-library") { HelpName = "DIR", Description = "prepended to the official side's LD_LIBRARY_PATH (default: the OpenBLAS results/bench/compare-cpu.sh unpacks, when present)" };
        var device = DeviceOption.Create();
        var output = BenchCommand.OutputOption();
        var command = new Command("compare", "Our training step against the official PyTorch code's, same shapes, batch, precision, threads and step, each side in a fresh process")
            { model, batch, threads, precision, steps, warmup, rounds, inChannels, inputSize, numClasses, what, guidance, peers, peerSampling, python, peerLibrary, device, output };
        command.SetAction(parse =>
        {
            bool sample = parse.GetRequiredValue(what) == "sample";
            if (sample && parse.GetRequiredValue(precision) != ConfigChoice.Name(TrainingPrecision.Fp32))
                throw new UsageException("bench compare --what sample: --precision is a training setting; sampling is measured in fp32 on both sides");
            return Run(parse.GetRequiredValue(model), parse.GetValue(batch), parse.GetValue(threads), parse.GetRequiredValue(precision), parse.GetValue(steps),
                parse.GetValue(warmup), parse.GetValue(rounds), parse.GetValue(inChannels), parse.GetValue(inputSize), parse.GetValue(numClasses), parse.GetRequiredValue(peers),
                parse.GetRequiredValue(python), parse.GetValue(peerLibrary), DeviceOption.Parse(parse.GetValue(device)), parse.GetValue(output), parse.InvocationConfiguration.Output,
                sample ? new SampleSides(parse.GetValue(guidance), parse.GetRequiredValue(peerSampling)) : null);
        });
        return command;
    }

    /// <summary>`--what sample`: the guidance scale of both sides and the script that times the official reverse loop.</summary>
    public sealed record SampleSides(double Guidance, string PeerScript);

    /// <param name="threads">Null: 2 on the CPU, libtorch's default (0) on CUDA.</param>
    /// <param name="peerLibrary">Null: <see cref="DefaultOpenBlas"/>.</param>
    /// <param name="sample">Null: compare training steps; else sampling steps.</param>
    public static int Run(string model, int batch, int? threads, string precision, int steps, int warmup, int rounds, int? inChannels, int? inputSize, int? numClasses,
        string peers, string python, string? peerLibrary, TorchSharp.torch.Device device, string? output, TextWriter stdout, SampleSides? sample = null)
    {
        bool cuda = device.type == TorchSharp.DeviceType.CUDA;
        int threadCount = threads ?? (cuda ? 0 : 2);
        string script = Path.Combine(peers, "bench_official.py");
        if (!File.Exists(script)) throw new UsageException($"--peers '{peers}': no bench_official.py there (the official code's folder, ../shared/peers beside the checkout)");
        if (sample is not null && !File.Exists(sample.PeerScript)) throw new UsageException($"--peer-sampling '{sample.PeerScript}': not found (results/bench/peer_sampling.py, run from the repository root)");
        peerLibrary ??= DefaultOpenBlas();
        if (sample is not null && steps < 2) throw new UsageException($"bench compare --what sample: --steps {steps}: expected at least 2");

        string on = cuda ? "cuda" : "cpu";
        var ours = sample is null
            ? new List<string> { "bench", "train", model, "--batch", $"{batch}", "--recipe", "peer", "--precision", precision,
                "--steps", $"{steps}", "--warmup", $"{warmup}", "--threads", $"{threadCount}", "--device", on }
            : ["bench", "sample", model, "--batch", $"{batch}", "--sampler", "ddim", "--guidance", $"{sample.Guidance}",
                "--steps", $"{steps}", "--warmup", $"{warmup}", "--threads", $"{threadCount}", "--device", on];
        var official = sample is null
            ? new List<string> { script, "--model", model, "--batch", $"{batch}", "--device", on, "--precision", precision,
                "--steps", $"{steps}", "--warmup", $"{warmup}", "--ema" }
            : [sample.PeerScript, "--peers", peers, "--model", model, "--batch", $"{batch}", "--device", on, "--sampler", "ddim",
                "--cfg", $"{sample.Guidance}", "--steps", $"{steps}", "--warmup", $"{warmup}"];
        if (threadCount > 0) official.AddRange(["--threads", $"{threadCount}"]);
        foreach (var (key, flag, value) in new[] { ("Model.InChannels", "in-channels", inChannels), ("Model.InputSize", "input-size", inputSize), ("Model.NumClasses", "num-classes", numClasses) })
        {
            if (value is not { } v) continue;
            ours.AddRange(["--set", $"{key}={v}"]);
            official.AddRange([$"--{flag}", $"{v}"]);
        }

        var rows = new List<(string Side, JsonObject Line)>();
        for (int round = 0; round < rounds; round++)
        {
            // Alternate which side goes first, so a machine that slows down or warms up over time hits both alike.
            var order = round % 2 == 0 ? new[] { "ours", "official" } : ["official", "ours"];
            foreach (var side in order)
            {
                var line = side == "ours" ? RunSelf(ours) : RunProcess(python, official, peerLibrary);
                line["bench"] = sample is null ? "compare" : "compare-sample";
                line["side"] = side;
                line["round"] = round;
                rows.Add((side, line));
                BenchCommand.WriteLine(line.ToDictionary(p => p.Key, p => (object?)p.Value?.DeepClone()), stdout, output);
            }
        }
        double Median(string side) => MedianOf(rows.Where(r => r.Side == side).Select(r => r.Line["images_per_s"]!.GetValue<double>()));
        long? Peak(string side, string key) => rows.Where(r => r.Side == side).Select(r => r.Line[key]?.GetValue<long?>()).Max();
        double oursRate = Median("ours"), officialRate = Median("official");
        var summary = new Dictionary<string, object?>
        {
            ["bench"] = sample is null ? "compare-summary" : "compare-sample-summary", ["model"] = model, ["batch"] = batch, ["precision"] = precision, ["threads"] = threadCount,
            ["device"] = rows.First(r => r.Side == "ours").Line["device"]?.GetValue<string>(), ["steps"] = steps, ["warmup"] = warmup, ["rounds"] = rounds,
            ["ours_images_per_s"] = Math.Round(oursRate, 2), ["official_images_per_s"] = Math.Round(officialRate, 2),
            ["ratio"] = Math.Round(oursRate / officialRate, 3), ["guidance"] = sample?.Guidance,
            ["ours_peak_memory_bytes"] = Peak("ours", "peak_memory_bytes"), ["official_peak_memory_bytes"] = Peak("official", "peak_mem_bytes"),
            ["official_torch"] = rows.First(r => r.Side == "official").Line["torch"]?.GetValue<string>(),
            ["revision"] = GitRevision.OfRun(), ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        };
        if (rows.All(r => r.Line["images_per_cpu_s"] is not null))
        {
            // Per second of CPU time: on one thread each, what the two codes cost whatever else the machine runs.
            double oursCpu = MedianOf(rows.Where(r => r.Side == "ours").Select(r => r.Line["images_per_cpu_s"]!.GetValue<double>()));
            double officialCpu = MedianOf(rows.Where(r => r.Side == "official").Select(r => r.Line["images_per_cpu_s"]!.GetValue<double>()));
            summary["ours_images_per_cpu_s"] = Math.Round(oursCpu, 4);
            summary["official_images_per_cpu_s"] = Math.Round(officialCpu, 4);
            summary["ratio_cpu_time"] = Math.Round(oursCpu / officialCpu, 3);
        }
        BenchCommand.WriteLine(summary, stdout, output);
        return 0;
    }

    private static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Debian's OpenBLAS unpacked by results/bench/compare-cpu.sh: without it Debian's torch runs the reference BLAS, 5–10× slower.</summary>
    private static string? DefaultOpenBlas()
    {
        const string dir = "/tmp/openblas/usr/lib/x86_64-linux-gnu/openblas-openmp";
        return Directory.Exists(dir) ? dir : null;
    }

    /// <summary>This same difflab in a fresh process (so its peak resident set is the benchmark's alone).</summary>
    private static JsonObject RunSelf(IReadOnlyList<string> arguments)
    {
        string host = Environment.ProcessPath!;
        var all = Path.GetFileNameWithoutExtension(host) == "dotnet" ? [typeof(BenchCompare).Assembly.Location, .. arguments] : arguments.ToList();
        return RunProcess(host, all, null);
    }

    private static JsonObject RunProcess(string program, IReadOnlyList<string> arguments, string? libraryPath)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        if (libraryPath is not null)
            info.Environment["LD_LIBRARY_PATH"] = libraryPath + (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") is { Length: > 0 } rest ? ":" + rest : "");
        Process process;
        try { process = Process.Start(info)!; }
        catch (System.ComponentModel.Win32Exception e) { throw new UsageException($"bench compare: cannot start '{program}' ({e.Message})"); }
        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            string last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
            if (process.ExitCode != 0 || !last.TrimStart().StartsWith('{'))
                throw new InvalidOperationException($"bench compare: '{Path.GetFileName(program)} {string.Join(' ', arguments.Take(4))}' failed (exit {process.ExitCode}): {error.Result.Trim().Split('\n').LastOrDefault()}");
            return JsonNode.Parse(last)!.AsObject();
        }
    }
}
