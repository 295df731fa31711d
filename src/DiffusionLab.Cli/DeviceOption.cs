using System.CommandLine;
using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Cli;

/// <summary>--device auto|cpu|cuda[:N]; auto picks CUDA when a CUDA device is usable.</summary>
public static partial class DeviceOption
{
    /// <summary>
    /// The option's word, checked while parsing; <see cref="Parse"/> turns it into a device when the command runs
    /// (not while parsing: that loads libtorch, which --help and a mistyped option should not wait for).
    /// </summary>
    public static Option<string> Create(string description = "where to run: auto picks CUDA when a CUDA device is usable")
    {
        var option = new Option<string>("--device") { HelpName = "auto|cpu|cuda[:N]", Description = description, DefaultValueFactory = _ => "auto" };
        option.Validators.Add(r =>
        {
            string? word = r.Tokens.Count > 0 ? r.Tokens[^1].Value : null;
            if (word is not null && !DeviceWord().IsMatch(word)) r.AddError($"--device '{word}': expected auto, cpu or cuda");
        });
        option.CompletionSources.Add("auto", "cpu", "cuda");
        return option;
    }

    public static Device Parse(string? value)
    {
        string v = value ?? "auto";
        if (v == "auto") return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        if (v == "cpu") return torch.CPU;
        if (v == "cuda" || v.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new UsageException($"--device {v}: no CUDA device is available (this build's libtorch is {(torch.cuda_is_available() ? "CUDA" : "CPU-only")} or no GPU is visible)");
            return torch.device(v);
        }
        throw new UsageException($"--device '{v}': expected auto, cpu or cuda");
    }

    [GeneratedRegex("^(auto|cpu|cuda(:[0-9]+)?)$")]
    private static partial Regex DeviceWord();
}
