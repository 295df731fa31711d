using DiffusionLab.Mdt;
using DiffusionLab.Modules;
using DiffusionLab.Pipelines;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// Prompts with a consistent-attention context as the sampling pipeline's conditioning: each call puts
/// <see cref="ConsistentSelfAttention"/> into the chosen blocks of the text-to-image MDT for that step (mode, banks,
/// the step's sampled tokens) over both guidance halves; the unconditional rows are the empty prompt. Without a mode
/// the network runs plainly. Its token draws and coin flips come from <see cref="ConsistentAttentionConfig.Seed"/>,
/// fresh for every conditioning, so nothing is kept between generations but the banks.
/// </summary>
internal sealed class ConsistentAttentionConditioning : ISamplingConditioning, IDisposable
{
    private readonly MaskedDiffusionTransformer _model;
    private readonly ConsistentAttentionConfig _config;
    private readonly IReadOnlyList<string> _blocks;
    private readonly ConsistentAttentionMode? _mode;
    private readonly IReadOnlyList<CharacterBank> _banks;
    private readonly Tensor _rows, _both;
    private readonly Generator _tokenDraws;
    private readonly Random _coins;

    public ConsistentAttentionConditioning(MaskedDiffusionTransformer model, ConsistentAttentionConfig config, IReadOnlyList<string> blocks, Tensor ids,
        ConsistentAttentionMode? mode, IReadOnlyList<CharacterBank> banks)
    {
        _model = model;
        _config = config;
        _blocks = blocks;
        _mode = mode;
        _banks = banks;
        var device = model.parameters().First().device;
        using var nul = model.NullCondition();
        _rows = ids.to(ScalarType.Int64).to(device, copy: true).DetachFromDisposeScope();
        _both = cat([_rows, nul.to(device).expand_as(_rows)], 0).DetachFromDisposeScope();
        _tokenDraws = new Generator((ulong)config.Seed, CPU);
        _coins = new Random((int)(config.Seed & 0x7fffffff));
    }

    public int Count => (int)_rows.shape[0];

    public Tensor Predict(Tensor x, Tensor originalTimesteps, int step, int steps, bool withUnconditional)
    {
        var y = withUnconditional ? _both : _rows;
        if (_mode is not { } mode) return _model.forward(x, originalTimesteps, y);
        long tokens = _model.Config.NumTokens;
        // One draw per image and step, shared by every block (storydiffusion.md §2.3 B).
        var sampled = mode == ConsistentAttentionMode.Read ? []
            : Enumerable.Range(0, Count).Select(_ => nonzero(rand([tokens], generator: _tokenDraws) < _config.SamplingRate).view(-1).to(x.device)).ToList();
        var csa = new ConsistentSelfAttention(mode, _banks, originalTimesteps[0].item<long>(), _config.Schedule.Probability(step, steps), sampled,
            withUnconditional ? 2 : 1, _coins);
        return _model.Forward(x, originalTimesteps, y, SelfAttentionHooks.Uniform(_blocks, csa));
    }

    public void Dispose()
    {
        _rows.Dispose();
        _both.Dispose();
        _tokenDraws.Dispose();
    }
}
