using System.Runtime.InteropServices;
using DiffusionLab.Training;

namespace DiffusionLab.Tests.Training;

public class ProcessMemoryTests
{
    [Fact]
    public void CurrentAndPeakResidentSetAreReported()
    {
        var memory = new ProcessMemory();
        Assert.Equal("process_peak_rss", memory.Source);
        // Current first: other tests allocate in parallel, so a resident set read after the peak may exceed it.
        long? current = memory.CurrentBytes;
        long? peak = memory.PeakBytes;
        Assert.True(current > 0 && peak >= current, $"current {current}, peak {peak}");
    }

    [PeakResetFact]
    public void ThePeakRestartsAtTheCurrentResidentSet()
    {
        var memory = new ProcessMemory();
        Assert.True(memory.ResetPeak());

        // 256 MB of native memory, touched, then freed (glibc unmaps a block this large at once).
        const int size = 256 << 20;
        IntPtr block = Marshal.AllocHGlobal(size);
        for (int i = 0; i < size; i += 4096) Marshal.WriteByte(block, i, 1);
        long withBlock = memory.PeakBytes!.Value;
        Marshal.FreeHGlobal(block);
        Assert.True(memory.ResetPeak());
        Assert.True(memory.PeakBytes < withBlock - (128L << 20), $"peak {memory.PeakBytes} after a restart, {withBlock} with the block");
    }
}
