using System.Diagnostics;
using System.Text.Json.Nodes;
using DiffusionLab.Core;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab bench compare MODEL --batch B`: our training step and the official PyTorch code's
/// (../shared/peers/bench_official.py, run, never copied) on the same shapes, batch, precision, threads and step
/// (AdamW 1e-4, no clip, EMA, MDT's Min-SNR-5 and both branches; `bench train --recipe peer`), each side in a
/// fresh process so its peak memory is its own, alternating sides over --rounds so a drift of the machine hits
/// both. One JSON line per side and round, then a summary: ours ÷ official images/s (medians) and each peak memory.
/// </summary>
internal static class BenchCompare
{
    public static int Run(Arguments args, TextWriter stdout)
    {
        string model = args.Positional[1];
        int batch = args.Int("batch", 0);
        if (batch < 1) throw new UsageException("bench compare: --batch B is required");
        var device = DeviceOption.Parse(args.Option("device"));
        bool cuda = device.type == TorchSharp.DeviceType.CUDA;
        int threads = args.Int("threads", cuda ? 0 : 2);
        int steps = args.Int("steps", 10), warmup = args.Int("warmup", 3), rounds = args.Int("rounds", 2);
        if (steps < 1 || warmup < 0 || rounds < 1) throw new UsageException($"bench compare: --steps {steps}, --warmup {warmup}, --rounds {rounds}: expected steps >= 1, warmup >= 0, rounds >= 1");
        string precision = args.Option("precision") ?? "fp32";
        int? inChannels = args.Option("in-channels") is null ? null : args.Int("in-channels", 0);
        int? inputSize = args.Option("input-size") is null ? null : args.Int("input-size", 0);
        int? numClasses = args.Option("num-classes") is null ? null : args.Int("num-classes", 0);
        // Run from the repository root, the official code's folder is ../shared/peers beside the checkout.
        string peers = args.Option("peers") ?? Path.Combine("..", "shared", "peers");
        string script = Path.Combine(peers, "bench_official.py");
        if (!File.Exists(script)) throw new UsageException($"--peers '{peers}': no bench_official.py there (the official code's folder, ../shared/peers beside the checkout)");
        string python = args.Option("python") ?? "/usr/bin/python3";
        string? peerLibrary = args.Option("peer-library") ?? DefaultOpenBlas();
        string? output = args.Option("out");
        args.RejectUnknown();

        var ours = new List<string> { "bench", "train", model, "--batch", $"{batch}", "--recipe", "peer", "--precision", precision,
            "--steps", $"{steps}", "--warmup", $"{warmup}", "--threads", $"{threads}", "--device", cuda ? "cuda" : "cpu" };
        var official = new List<string> { script, "--model", model, "--batch", $"{batch}", "--device", cuda ? "cuda" : "cpu", "--precision", precision,
            "--steps", $"{steps}", "--warmup", $"{warmup}", "--ema" };
        if (threads > 0) official.AddRange(["--threads", $"{threads}"]);
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
                line["bench"] = "compare";
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
            ["bench"] = "compare-summary", ["model"] = model, ["batch"] = batch, ["precision"] = precision, ["threads"] = threads,
            ["device"] = rows.First(r => r.Side == "ours").Line["device"]?.GetValue<string>(), ["steps"] = steps, ["warmup"] = warmup, ["rounds"] = rounds,
            ["ours_images_per_s"] = Math.Round(oursRate, 2), ["official_images_per_s"] = Math.Round(officialRate, 2),
            ["ratio"] = Math.Round(oursRate / officialRate, 3),
            ["ours_peak_memory_bytes"] = Peak("ours", "peak_memory_bytes"), ["official_peak_memory_bytes"] = Peak("official", "peak_mem_bytes"),
            ["official_torch"] = rows.First(r => r.Side == "official").Line["torch"]?.GetValue<string>(),
            ["revision"] = GitRevision.Describe(), ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        };
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
