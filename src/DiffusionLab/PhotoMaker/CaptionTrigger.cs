using DiffusionLab.Data;

namespace DiffusionLab.PhotoMaker;

/// <summary>Turns a marked training caption into a PhotoMaker prompt (photomaker.md §1.3): the trigger word right after the class word.</summary>
public static class CaptionTrigger
{
    /// <summary>"a photo of a woman in …" with the class word at <paramref name="classWord"/> → "a photo of a woman img in …".</summary>
    public static string Insert(string caption, CaptionSpan? classWord, string trigger = Text.TriggerPrompt.DefaultTrigger)
    {
        if (classWord is not { } span)
            throw new ArgumentException($"caption \"{caption}\": no class word marked, so there is nowhere to put the trigger word");
        if (span.Start < 0 || span.End > caption.Length || span.Length == 0)
            throw new ArgumentException($"caption \"{caption}\": class-word span {span.Start}+{span.Length} lies outside it");
        return caption[..span.End] + " " + trigger + caption[span.End..];
    }
}
