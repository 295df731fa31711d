namespace DiffusionLab.Modules;

/// <summary>
/// The explicit per-call context that replaces the self-attention of named blocks (state-dict prefixes such
/// as "de_blocks.0"). A network's forward takes it as an argument and keeps nothing of it, so two calls with
/// different hooks never see each other's state.
/// </summary>
public sealed class SelfAttentionHooks
{
    private readonly Dictionary<string, ISelfAttentionProcessor> _byBlock;

    public SelfAttentionHooks(IReadOnlyDictionary<string, ISelfAttentionProcessor> byBlock)
    {
        ArgumentNullException.ThrowIfNull(byBlock);
        _byBlock = byBlock.ToDictionary(p => p.Key, p => p.Value ?? throw new ArgumentException($"self-attention hook for block '{p.Key}' is null"));
    }

    /// <summary>The same processor in each of <paramref name="blocks"/>.</summary>
    public static SelfAttentionHooks Uniform(IEnumerable<string> blocks, ISelfAttentionProcessor processor) =>
        new(blocks.ToDictionary(b => b, _ => processor));

    public IReadOnlyCollection<string> Blocks => _byBlock.Keys;

    public ISelfAttentionProcessor? For(string blockName) => _byBlock.GetValueOrDefault(blockName);

    /// <summary>Throws naming the first hooked block the network does not have (a typo would otherwise silently hook nothing).</summary>
    public void CheckAgainst(IReadOnlyCollection<string> networkBlocks)
    {
        foreach (var name in _byBlock.Keys)
            if (!networkBlocks.Contains(name))
                throw new ArgumentException($"self-attention hook for block '{name}': the network has no such block; expected one of {string.Join(", ", networkBlocks)}");
    }
}
