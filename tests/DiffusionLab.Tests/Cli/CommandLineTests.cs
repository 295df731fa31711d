using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Text.RegularExpressions;
using DiffusionLab.Cli;
using DiffusionLab.Tests.Notebooks;

namespace DiffusionLab.Tests.Cli;

/// <summary>The command line itself: help for every command, typo corrections, exit codes, --version, completion.</summary>
public class CommandLineTests
{
    /// <summary>Every command of the tree, as the words that reach it (the root: none); a new command is covered by itself.</summary>
    public static TheoryData<string> Commands()
    {
        var data = new TheoryData<string>();
        void Walk(Command command, string path)
        {
            data.Add(path);
            foreach (var sub in command.Subcommands) Walk(sub, (path + " " + sub.Name).Trim());
        }
        Walk(DifflabCommand.Create(), "");
        return data;
    }

    private static Command Find(string path) =>
        path.Split(' ', StringSplitOptions.RemoveEmptyEntries).Aggregate((Command)DifflabCommand.Create(), (c, name) => c.Subcommands.Single(s => s.Name == name));

    private static string Collapse(string text) => Regex.Replace(text, @"\s+", " ");

    [Theory]
    [MemberData(nameof(Commands))]
    public void Help_lists_every_option_with_its_description_and_default(string path)
    {
        var command = Find(path);
        var (code, output, err) = CliHarness.Difflab([.. path.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);

        Assert.True(code == 0, err);
        string help = Collapse(output);
        Assert.Contains($"difflab {path}".Trim(), help);
        Assert.False(string.IsNullOrWhiteSpace(command.Description), $"'{path}' has no description");
        foreach (var argument in command.Arguments)
        {
            Assert.False(string.IsNullOrWhiteSpace(argument.Description), $"argument {argument.Name} of '{path}' has no description");
            Assert.Contains(Collapse(argument.Description!), help);
        }
        foreach (var option in command.Options)
        {
            Assert.False(string.IsNullOrWhiteSpace(option.Description), $"option {option.Name} of '{path}' has no description");
            Assert.Contains(option.Name, help);
            Assert.Contains(Collapse(option.Description!), help);
            bool takesAValue = option.Arity.MaximumNumberOfValues > 0 && option.ValueType != typeof(bool);
            if (takesAValue) Assert.Contains($"{option.Name} <{option.HelpName}>", help);
            if (option.HasDefaultValue && takesAValue)
                Assert.Contains($"{Collapse(option.Description!)} [default: {option.GetDefaultValue()}]", help);
        }
        foreach (var sub in command.Subcommands) Assert.Contains(sub.Name, help);
    }

    [Fact]
    public void Help_command_is_the_same_as_the_help_option()
    {
        var viaCommand = CliHarness.Difflab("help", "bench", "train");
        var viaOption = CliHarness.Difflab("bench", "train", "--help");
        Assert.Equal((0, viaOption.Out), (viaCommand.Code, viaCommand.Out));
        Assert.Equal(0, CliHarness.Difflab("bench", "train", "-h").Code);
    }

    [Theory]
    [InlineData("--kyes", "'--keys'", "model", "info", "DiT-S/2", "--kyes")]
    [InlineData("--devcie", "'--device'", "train", "config.json", "--devcie", "cpu")]
    [InlineData("--panel", "'--panels'", "bench", "story", "MDTv2-T2I-Tiny/4", "--panel", "3", "--mode", "bank")]
    [InlineData("--heldout", "'--held-out'", "world", "refs", "--identity", "0", "--out", "x", "--heldout")]
    public void A_mistyped_option_gets_a_suggestion_and_exit_2(string mistyped, string suggestion, params string[] args)
    {
        var (code, output, err) = CliHarness.Difflab(args);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(err.Trim().Split('\n'));
        Assert.StartsWith($"difflab: unknown option '{mistyped}'", err);
        Assert.Contains($"did you mean {suggestion}", err);
        Assert.Contains("--help", err);
    }

    [Theory]
    [InlineData("'train'", "trian", "config.json")]
    [InlineData("'sample'", "smaple", "runs/x")]
    [InlineData("'train'", "bench", "trian", "DiT-S/2", "--batch", "2")]
    [InlineData("'photomaker'", "study", "photomakr", "experiments/x")]
    [InlineData("'refs'", "world", "ref", "--identity", "0")]
    public void A_mistyped_command_gets_a_suggestion_and_exit_2(string suggestion, params string[] args)
    {
        var (code, output, err) = CliHarness.Difflab(args);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("unknown command", err);
        Assert.Contains($"did you mean {suggestion}", err);
    }

    [Theory]
    [InlineData("option --count '0': expected a positive integer", "sample", "run", "--count", "0")]
    [InlineData("option --rate '1.5': expected a number in [0, 1]", "story", "s.txt", "--run", "r", "--out", "c.png", "--rate", "1.5")]
    [InlineData("option --precision 'fp16': expected \"fp32\" or \"bf16\"", "bench", "train", "DiT-S/2", "--batch", "2", "--precision", "fp16")]
    [InlineData("option --mode 'both': expected batch or bank", "bench", "story", "MDTv2-T2I-Tiny/4", "--panels", "3", "--mode", "both")]
    [InlineData("--device 'gpu': expected auto, cpu or cuda", "train", "config.json", "--device", "gpu")]
    [InlineData("'--batch' is required", "bench", "sample", "DiT-S/2")]
    [InlineData("unexpected argument 'extra'", "model", "info", "DiT-S/2", "extra")]
    [InlineData("world: expected a command: preview or refs", "world")]
    public void A_bad_value_is_one_line_naming_the_option_and_exit_2(string message, params string[] args)
    {
        var (code, _, err) = CliHarness.Difflab(args);

        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains(message, err);
    }

    [Fact]
    public void Difflab_alone_shows_the_commands_and_exits_2()
    {
        var (code, output, _) = CliHarness.Difflab();
        Assert.Equal(2, code);
        foreach (var command in new[] { "train", "sample", "evaluate", "model", "bench", "study", "notebook", "world", "story", "clip", "personalize", "evaluators" })
            Assert.Contains(command, output);
    }

    [Fact]
    public void Version_prints_the_git_revision()
    {
        var (code, output, err) = CliHarness.Difflab("--version");

        Assert.True(code == 0, err);
        var match = Regex.Match(output.Trim(), @"^difflab \d+\.\d+\.\d+ \(git ([0-9a-f]{7}|unknown.*?)( \(built with uncommitted changes in src/ or experiments/\))?\)$");
        Assert.True(match.Success, output);
        string revision = match.Groups[1].Value;
        string root = NotebookRuns.RepositoryRoot();
        if (!Path.Exists(Path.Combine(root, ".git"))) return;   // a copy without history: nothing to check the revision against
        var git = Process.Start(new ProcessStartInfo("git", $"cat-file -t {revision}") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true })!;
        string kind = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        Assert.Equal("commit", kind);
    }

    [Theory]
    [InlineData("difflab bench tr", "train")]
    [InlineData("difflab st", "study", "story")]
    [InlineData("difflab bench train DiT-S/2 --prec", "--precision")]
    [InlineData("difflab bench story X --mode ", "batch", "bank")]
    [InlineData("difflab model info MDTv2-S", "MDTv2-S/2")]
    [InlineData("difflab train c.json --device c", "cpu", "cuda")]
    public void Completion_suggests_commands_options_and_words(string line, params string[] expected)
    {
        var (code, output, err) = CliHarness.Difflab($"[suggest:{line.Length}]", line);

        Assert.True(code == 0, err);
        var suggestions = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var word in expected) Assert.Contains(word, suggestions);
    }

    /// <summary>Every `difflab ...` line of a fenced block in the repository's markdown parses (a renamed option would not).</summary>
    [Fact]
    public void Documented_command_lines_parse()
    {
        string root = NotebookRuns.RepositoryRoot();
        var lines = new List<(string File, string Line)>();
        foreach (var file in Directory.EnumerateFiles(root, "*.md", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")))
        {
            bool fenced = false;
            foreach (var raw in File.ReadLines(file))
            {
                if (raw.TrimStart().StartsWith("```", StringComparison.Ordinal)) { fenced = !fenced; continue; }
                if (!fenced) continue;
                foreach (var part in raw.Split(';').Select(p => p.Trim()).Where(p => p.StartsWith("difflab ", StringComparison.Ordinal)))
                    lines.Add((file, part));
            }
        }
        Assert.True(lines.Count > 20, $"found only {lines.Count} command lines");
        foreach (var (file, line) in lines) AssertParses(line, file);
    }

    /// <summary>The command lines of the repository's scripts (variables given plausible values), and bench compare's own.</summary>
    [Theory]
    [InlineData("difflab evaluate runs/photomaker-characterworld/full/stacked")]
    [InlineData("difflab train experiments/foundation-smoke/dit-tiny.json --out runs/x --device cpu")]
    [InlineData("difflab bench story MDTv2-T2I-Tiny/4 --panels 8 --mode bank --steps 50 --device cuda --out results/story-characterworld/bench.jsonl")]
    [InlineData("difflab bench compare DiT-Tiny/4 --batch 4 --steps 2 --warmup 1 --rounds 1 --device cuda --peers ../shared/peers --python python3 --out b.jsonl")]
    [InlineData("difflab bench compare DiT-S/2 --batch 128 --precision bf16 --steps 20 --warmup 5 --rounds 2 --device cpu --peers p --python p --out b.jsonl")]
    [InlineData("difflab bench compare DiT-S/2 --in-channels 1 --input-size 32 --num-classes 10 --batch 16 --threads 2 --steps 3 --warmup 1 --rounds 2 --peer-library /tmp/ob --out o.jsonl")]
    [InlineData("difflab bench optimizer --tensors 10 --numel 100000 --steps 10 --device cuda --out o.jsonl")]
    [InlineData("difflab bench optimizer --tensors 200 --numel 2000000 --steps 100 --warmup 30 --threads 2 --out o.jsonl")]
    [InlineData("difflab bench chart results/bench/compare-cpu.jsonl --out results/bench/images-per-s-vs-batch-cpu.png")]
    [InlineData("difflab bench train DiT-Tiny/4 --batch 8 --device cuda")]
    [InlineData("difflab bench train DiT-S/2 --batch 64 --steps 20 --warmup 3 --device cpu --out results/bench/cpu.jsonl")]
    [InlineData("difflab bench sample DiT-S/2 --batch 64 --steps 30 --warmup 3 --device cpu --out results/bench/cpu.jsonl")]
    [InlineData("difflab bench world --size 64 --images 5000 --warmup 200 --out results/bench/world-cpu.jsonl")]
    [InlineData("difflab study run experiments/convergence-mnist-s2 --device cuda --seeds 0")]
    [InlineData("difflab study run experiments/posenc-ablation-mnist-digits --scale full --only no-relbias --seeds 0 --device cuda --runs runs")]
    [InlineData("difflab study story experiments/story-characterworld --run runs/t2i --device cuda")]
    [InlineData("difflab study photomaker experiments/photomaker-characterworld --device cuda")]
    [InlineData("difflab study photomaker experiments/photomaker-characterworld --scale pretrained --results results/photomaker-characterworld/pretrained")]
    [InlineData("difflab evaluate ckpt.safetensors --set Sampling.ClipDenoised=true --set Evaluation.NumSamples=500")]
    [InlineData("difflab sample ckpt.safetensors --count 100 --seed 1 --set Sampling.ClipDenoised=false --out samples/x.png")]
    [InlineData("difflab sample runs/notebooks/01-quickstart --raw --count 20 --seed 1")]
    [InlineData("difflab evaluators train --which factors --out src/DiffusionLab/Evaluation/Resources --seed 0")]
    [InlineData("difflab evaluate runs/pm --people 50")]
    [InlineData("difflab story story.txt --run runs/t2i --out comic.png --layout four-panel --no-csa --save-banks banks")]
    [InlineData("difflab personalize --run runs/pm --refs a.png b.png c.png --weights 1,1,0.5 --prompt \"a man img\" --style-strength 30 --out grid.png")]
    [InlineData("difflab bench train DiT-S/2 --batch 4 --recipe peer --precision fp32 --steps 10 --warmup 3 --threads 0 --device cuda --set Model.InChannels=1")]
    public void Script_command_lines_parse(string line) => AssertParses(line, "a script");

    private static void AssertParses(string line, string source)
    {
        var tokens = CommandLineParser.SplitCommandLine(line).Skip(1).TakeWhile(t => !t.StartsWith('#')).ToArray();
        var parse = DifflabCommand.Parse(tokens);
        Assert.True(parse.Errors.Count == 0, $"{source}: `{line}`: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
    }

    [Fact]
    public void Repeated_set_overrides_reach_the_command_in_order()
    {
        var (code, output, err) = CliHarness.Difflab("model", "info", "MDTv2-S/2", "--set", "DecodeLayer=4", "--set", "DecodeLayer=6", "--set", "Depth=12");
        Assert.True(code == 0, err);
        var (_, direct, _) = CliHarness.Difflab("model", "info", "MDTv2-S/2", "--set", "DecodeLayer=6");
        Assert.Equal(direct, output);
    }
}
