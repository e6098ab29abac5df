/* One OpenMP parallel region for a whole time loop (rnn.pyx): its threads split every step's
 * product and gate arithmetic and meet at a spinning barrier between them.
 *
 * A parallel region per step was slower on two cores than one thread: between regions the
 * idle threads go to sleep (libgomp's default wait policy) and take longer to wake than a
 * step's product takes. Inside one region the barrier below only spins, yielding the core
 * after a while in case the threads outnumber the cores.
 *
 * Without OpenMP the team is the calling thread alone.
 */
#ifndef NPTORCH_THREAD_TEAM_H
#define NPTORCH_THREAD_TEAM_H

#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(_WIN32)
#include <windows.h>
#define NPTORCH_YIELD() SwitchToThread()
#else
#include <sched.h>
#define NPTORCH_YIELD() sched_yield()
#endif

static int team_max_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

/* The size of the running team and this thread's rank in it. */
static int team_size(void)
{
#ifdef _OPENMP
    return omp_get_num_threads();
#else
    return 1;
#endif
}

static int team_rank(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* Zero-initialised, shared by the team; reusable for any number of waits. */
typedef struct {
    int arrived;
    int generation;
} team_barrier;

#if defined(__GNUC__)
/* Returns once every thread of the team has called it; what each wrote before is then
 * visible to all (release on arrival, acquire on leaving). */
static void team_barrier_wait(team_barrier *b)
{
    int n = team_size();
    if (n == 1)
        return;
    int generation = __atomic_load_n(&b->generation, __ATOMIC_ACQUIRE);
    if (__atomic_add_fetch(&b->arrived, 1, __ATOMIC_ACQ_REL) == n) {
        __atomic_store_n(&b->arrived, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&b->generation, generation + 1, __ATOMIC_RELEASE);
        return;
    }
    for (long spins = 0; __atomic_load_n(&b->generation, __ATOMIC_ACQUIRE) == generation;
         spins++) {
        if (spins > (1 << 16))
            NPTORCH_YIELD();
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
}
#else
static void team_barrier_wait(team_barrier *b)
{
    (void)b;
#ifdef _OPENMP
    __pragma(omp barrier)
#endif
}
#endif

#endif
