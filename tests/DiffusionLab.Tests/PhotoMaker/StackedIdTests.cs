using DiffusionLab.PhotoMaker;
using DiffusionLab.Text;
using TorchSharp;
using static TorchSharp.torch;
using static DiffusionLab.Tests.PhotoMaker.PhotoMakerFixtures;

namespace DiffusionLab.Tests.PhotoMaker;

/// <summary>photomaker.md §1.3: copy i of the class token ← fuse(t[pos_i], e_i), per sample; the average variant; identity mixing (§3.3).</summary>
public class StackedIdTests
{
    private const int L = 16;

    /// <summary>Row <paramref name="row"/> of t* against the plain embedding: copies fused with their own image in order, every other position untouched.</summary>
    private static void CheckRow(PhotoMakerModel model, Tensor plain, Tensor stacked, Tensor classMask, int row, Tensor imageEmbeddings)
    {
        int copy = 0;
        for (int pos = 0; pos < L; pos++)
        {
            if (classMask[row, pos].item<bool>())
            {
                var expected = model.IdEncoder.Fuse.forward(plain[row, pos].unsqueeze(0), imageEmbeddings[copy++].unsqueeze(0))[0];
                Assert.True(stacked[row, pos].allclose(expected, rtol: 1e-5, atol: 1e-6), $"row {row}, position {pos}: not fuse(t[pos], e_{copy - 1})");
            }
            else Assert.True(Same(stacked[row, pos], plain[row, pos]), $"row {row}, position {pos}: a non-class token changed");
        }
        Assert.Equal(imageEmbeddings.shape[0], copy);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void EachCopyOfTheClassTokenIsFusedWithItsOwnImage(int n)
    {
        using var model = Model();
        using var batch = ClassTokenBatch.From([TriggerPrompt.Parse("a photo of a man img wearing a crown").Encode(Tokenizer, n, L)]);
        using var refs = new ReferenceStack(Images(n, seed: n));
        using var _ = no_grad();
        using var plain = model.EncodeText(batch.Ids);
        using var stacked = model.Condition(batch, [refs]);
        Assert.Equal(n, batch.ClassMask.sum().item<long>());
        CheckRow(model, plain.Tokens, stacked.Tokens, batch.ClassMask, 0, model.IdEncoder.EmbedImages(refs.Images));
        Assert.True(Same(plain.Pooled, stacked.Pooled), "the pooled vector is the expanded prompt's, never modified (§1.3 step 4)");
        Assert.True(Same(plain.PaddingMask, stacked.PaddingMask));
        if (n > 1) Assert.False(stacked.Tokens[0, 5].allclose(stacked.Tokens[0, 6]), "two references give two different ID tokens");
    }

    [Fact]
    public void RowsOfOneBatchMayHoldDifferentNumbersOfReferences()
    {
        using var model = Model();
        int[] counts = [1, 3, 4, 2];
        string[] prompts = ["a photo of a man img wearing a crown", "a smiling woman img in a red shirt", "a girl img , sad , on the beach", "a photo of a boy img"];
        using var batch = ClassTokenBatch.Encode(Tokenizer, [.. prompts.Zip(counts)], L);
        var stacks = counts.Select((n, i) => new ReferenceStack(Images(n, seed: 10 + i))).ToList();
        using var _ = no_grad();
        using var plain = model.EncodeText(batch.Ids);
        using var stacked = model.Condition(batch, stacks);
        Assert.Equal(counts, batch.Copies);
        for (int r = 0; r < counts.Length; r++) CheckRow(model, plain.Tokens, stacked.Tokens, batch.ClassMask, r, model.IdEncoder.EmbedImages(stacks[r].Images));

        // Another person in row 1 changes row 1 only.
        var swapped = stacks.ToList();
        swapped[1] = new ReferenceStack(Images(3, seed: 99));
        using var other = model.Condition(batch, swapped);
        foreach (int r in new[] { 0, 2, 3 }) Assert.True(Same(other.Tokens[r], stacked.Tokens[r]), $"row {r} changed with row 1's references");
        Assert.False(other.Tokens[1].allclose(stacked.Tokens[1]));
        foreach (var s in stacks.Concat(swapped)) s.Dispose();
    }

    [Fact]
    public void AMismatchBetweenCopiesAndImagesIsAnError()
    {
        using var model = Model();
        using var batch = ClassTokenBatch.From([TriggerPrompt.Parse("a photo of a man img").Encode(Tokenizer, 3, L)]);
        using var refs = new ReferenceStack(Images(2, seed: 1));
        using var _ = no_grad();
        var e = Assert.Throws<ArgumentException>(() => model.Condition(batch, [refs]));
        Assert.Contains("3 class-token copies", e.Message);
        using var plain = model.EncodeText(batch.Ids);
        e = Assert.Throws<ArgumentException>(() => model.IdEncoder.Stack(plain.Tokens, batch.ClassMask, randn(3, 16), [2]));
        Assert.Contains("idEmbeddings", e.Message);
        var bad = batch.ClassMask.clone();
        bad[0, 1] = tensor(true);
        e = Assert.Throws<ArgumentException>(() => model.IdEncoder.Stack(plain.Tokens, bad, randn(3, 16), [3]));
        Assert.Contains("row 0: 4 class-token copies marked but 3 images", e.Message);
    }

    [Fact]
    public void TheAverageVariantFusesOneTokenWithTheMeanImageEmbedding()
    {
        using var model = Model(Config with { IdEmbedding = IdEmbeddingMode.Average });
        var prompt = TriggerPrompt.Parse("a photo of a woman img wearing a crown");
        using var one = ClassTokenBatch.From([prompt.Encode(Tokenizer, 1, L)]);
        using var refs = new ReferenceStack(Images(3, seed: 4));
        using var _ = no_grad();
        using var plain = model.EncodeText(one.Ids);
        using var averaged = model.Condition(one, [refs]);
        var changed = averaged.Tokens[0].ne(plain.Tokens[0]).any(1);
        Assert.Equal(1, changed.sum().item<long>());
        int pos = prompt.Encode(Tokenizer, 1, L).ClassIndex;
        Assert.True(changed[pos].item<bool>());
        var mean = model.IdEncoder.EmbedImages(refs.Images).mean([0L], keepdim: true);
        Assert.True(averaged.Tokens[0, pos].allclose(model.IdEncoder.Fuse.forward(plain.Tokens[0, pos].unsqueeze(0), mean)[0], rtol: 1e-5, atol: 1e-6));

        using var three = ClassTokenBatch.From([prompt.Encode(Tokenizer, 3, L)]);
        Assert.Contains("expected 1 (Average", Assert.Throws<ArgumentException>(() => model.Condition(three, [refs])).Message);
    }

    [Fact]
    public void MixingPoolsPeopleAndAnIdentitysCoefficientScalesItsTokens()
    {
        using var model = Model();
        var a = Images(2, seed: 1);
        var b = Images(2, seed: 2);
        using var batch = ClassTokenBatch.From([TriggerPrompt.Parse("a photo of a man img").Encode(Tokenizer, 4, L)]);
        using var pooled = ReferenceStack.Mix((a, 1.0), (b, 1.0));
        using var weighted = ReferenceStack.Mix((a, 2.0), (b, 1.0));
        using var plainStack = new ReferenceStack(cat([a, b], 0));
        Assert.Equal([2.0, 2.0, 1.0, 1.0], weighted.Weights);
        using var _ = no_grad();
        using var p = model.Condition(batch, [pooled]);
        using var w = model.Condition(batch, [weighted]);
        using var s = model.Condition(batch, [plainStack]);
        Assert.True(Same(p.Tokens, s.Tokens), "pooling two people is one stack of all their images");
        int first = (int)batch.ClassMask[0].to(ScalarType.Int64).argmax().item<long>();
        for (int i = 0; i < 4; i++)
        {
            var factor = i < 2 ? 2.0 : 1.0;
            Assert.True(w.Tokens[0, first + i].allclose(p.Tokens[0, first + i] * factor, rtol: 1e-5, atol: 1e-6), $"copy {i}: expected ×{factor}");
        }
        Assert.True(Same(w.Tokens[0, 0], p.Tokens[0, 0]));
    }
}
