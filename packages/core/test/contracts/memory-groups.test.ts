import { MemoryGroupService } from '@pitaya-ts/core/provider';
import { groupContract } from './group-contract';

// the TTL is checked every 50 ms (pitaya.groups.memory.tickduration)
groupContract('in-memory', () => ({ create: (messenger) => new MemoryGroupService(messenger, 50), shared: false }));
